namespace Meshy.Filters.Http2.Connection;

/// <summary>
/// Counts one kind of costly-but-legal client behaviour on a connection over a sliding pair of
/// fixed windows; past <see cref="Limit"/> per <see cref="Window"/> the connection ends with
/// GOAWAY ENHANCE_YOUR_CALM. Used against rapid reset (CVE-2023-44487: streams opened and reset at
/// once, each costing the proxy a request) and control-frame floods (PING, SETTINGS, PRIORITY,
/// empty DATA: CVE-2019-9512, -9515, -9518). Frame loop only: not thread-safe.
/// </summary>
internal struct Http2FloodBudget(int limit, TimeSpan window)
{
    private long _windowStart;
    private int _previous;
    private int _current;

    /// <summary>Events allowed per <see cref="Window"/>.</summary>
    public readonly int Limit => limit;

    /// <summary>The window length.</summary>
    public readonly TimeSpan Window => window;

    /// <summary>Counts one event at <paramref name="now"/> (a <see cref="TimeProvider.GetTimestamp"/>); false when over budget.</summary>
    public bool TryCount(long now, long ticksPerWindow)
    {
        if (_windowStart == 0 || now - _windowStart >= 2 * ticksPerWindow)
        {
            _windowStart = now;
            _previous = 0;
            _current = 0;
        }
        else if (now - _windowStart >= ticksPerWindow)
        {
            _windowStart += ticksPerWindow;
            _previous = _current;
            _current = 0;
        }
        _current++;
        // Sliding estimate: the part of the previous window still inside the last Window.
        double elapsed = (double)(now - _windowStart) / ticksPerWindow;
        double count = _current + (_previous * (1 - elapsed));
        return count <= limit;
    }
}
