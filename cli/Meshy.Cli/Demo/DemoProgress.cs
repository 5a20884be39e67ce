namespace Meshy.Cli.Demo;

/// <summary>
/// The tour's progress: on a terminal one line rewritten in place (step, requests done), otherwise a
/// plain line when each step starts, so logs and pipes stay readable.
/// </summary>
internal sealed class DemoProgress(TextWriter output, bool interactive)
{
    private readonly Lock _lock = new();
    private string _step = "";
    private int _shownLength;
    private long _lastDrawTicks;

    /// <summary>A step starts.</summary>
    public void Step(int number, int total, string title)
    {
        lock (_lock)
        {
            _step = $"[{number}/{total}] {title}";
            if (interactive)
            {
                DrawUnsynchronized(_step + " ...");
            }
            else
            {
                output.WriteLine(_step + " ...");
            }
        }
    }

    /// <summary>Something the step waits for, e.g. a reload.</summary>
    public void Note(string note)
    {
        if (!interactive)
        {
            return;
        }
        lock (_lock)
        {
            DrawUnsynchronized($"{_step}: {note}");
        }
    }

    /// <summary>Something the user should see whatever the output is, e.g. a fallback the demo took.</summary>
    public void Warn(string warning)
    {
        lock (_lock)
        {
            if (interactive)
            {
                output.Write('\r' + new string(' ', _shownLength) + '\r');
                _shownLength = 0;
            }
            output.WriteLine("   note: " + warning);
            output.Flush();
        }
    }

    /// <summary>Requests done so far out of <paramref name="total"/>; drawn at most every 50 ms.</summary>
    public void Requests(int done, int total)
    {
        if (!interactive)
        {
            return;
        }
        long now = Environment.TickCount64;
        lock (_lock)
        {
            if (done < total && now - _lastDrawTicks < 50)
            {
                return;
            }
            _lastDrawTicks = now;
            DrawUnsynchronized($"{_step}: {done}/{total} requests");
        }
    }

    /// <summary>Clears the progress line before results are printed.</summary>
    public void Clear()
    {
        if (!interactive)
        {
            return;
        }
        lock (_lock)
        {
            output.Write('\r' + new string(' ', _shownLength) + '\r');
            output.Flush();
            _shownLength = 0;
        }
    }

    private void DrawUnsynchronized(string text)
    {
        string padded = text.PadRight(_shownLength);
        output.Write('\r' + padded);
        output.Flush();
        _shownLength = text.Length;
    }
}
