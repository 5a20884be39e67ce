namespace Meshy.Filters.Http2;

/// <summary>
/// A flow-control window (RFC 9113 §6.9): the bytes of DATA payload one side may still send on a
/// stream or on the connection. Pure arithmetic; the connection keeps one per stream and one for
/// the connection, in each direction. The size may go negative when the peer lowers
/// SETTINGS_INITIAL_WINDOW_SIZE (§6.9.2) and may never exceed 2^31-1.
/// </summary>
internal struct Http2FlowWindow
{
    private int _size;

    /// <summary>A window of <paramref name="initialSize"/> bytes (0..2^31-1).</summary>
    public Http2FlowWindow(int initialSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialSize);
        _size = initialSize;
    }

    /// <summary>The window; negative after a lowered initial window size until updates catch up.</summary>
    public readonly int Size => _size;

    /// <summary>The bytes that may be sent now (0 when the window is negative).</summary>
    public readonly int Available => Math.Max(_size, 0);

    /// <summary>
    /// Adds a WINDOW_UPDATE increment (1..2^31-1). False, and the window unchanged, when the result
    /// would exceed 2^31-1: a FLOW_CONTROL_ERROR (§6.9.1), see <see cref="Increase"/>.
    /// </summary>
    public bool TryIncrease(int increment)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(increment);
        long next = (long)_size + increment;
        if (next > Http2Settings.MaxWindowSize)
        {
            return false;
        }
        _size = (int)next;
        return true;
    }

    /// <summary>
    /// Adds a WINDOW_UPDATE increment received for <paramref name="streamId"/> (0 = the connection);
    /// on overflow throws FLOW_CONTROL_ERROR: a stream error for a stream, a connection error for the
    /// connection window (§6.9.1).
    /// </summary>
    public void Increase(int increment, int streamId)
    {
        if (TryIncrease(increment))
        {
            return;
        }
        const string message = "WINDOW_UPDATE pushed the flow-control window above 2^31-1";
        if (streamId == 0)
        {
            Http2ProtocolException.ThrowConnectionError(Http2ErrorCode.FlowControlError, message);
        }
        Http2ProtocolException.ThrowStreamError(Http2ErrorCode.FlowControlError, streamId, message);
    }

    /// <summary>
    /// Moves a stream window by the change of SETTINGS_INITIAL_WINDOW_SIZE from
    /// <paramref name="oldInitialSize"/> to <paramref name="newInitialSize"/> (§6.9.2); the result may
    /// be negative. Throws a FLOW_CONTROL_ERROR connection error when it would exceed 2^31-1.
    /// </summary>
    public void AdjustInitialSize(int oldInitialSize, int newInitialSize)
    {
        long next = (long)_size + newInitialSize - oldInitialSize;
        if (next > Http2Settings.MaxWindowSize)
        {
            Http2ProtocolException.ThrowConnectionError(
                Http2ErrorCode.FlowControlError, "SETTINGS_INITIAL_WINDOW_SIZE pushed a stream window above 2^31-1");
        }
        _size = (int)next;
    }

    /// <summary>
    /// Takes <paramref name="length"/> bytes (a DATA frame's whole payload, padding included, §6.9.1)
    /// from the window. False, and the window unchanged, when it does not have that many: on the
    /// sending side, wait for WINDOW_UPDATE; on the receiving side, the peer overran the window
    /// (FLOW_CONTROL_ERROR, see <see cref="Receive"/>).
    /// </summary>
    public bool TryConsume(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length > _size)
        {
            return false;
        }
        _size -= length;
        return true;
    }

    /// <summary>
    /// Takes a received DATA frame's <paramref name="length"/> from the window of
    /// <paramref name="streamId"/> (0 = the connection); throws FLOW_CONTROL_ERROR (stream or
    /// connection scope as for <see cref="Increase"/>) when the peer sent more than the window allowed.
    /// </summary>
    public void Receive(int length, int streamId)
    {
        if (TryConsume(length))
        {
            return;
        }
        const string message = "DATA beyond the flow-control window";
        if (streamId == 0)
        {
            Http2ProtocolException.ThrowConnectionError(Http2ErrorCode.FlowControlError, message);
        }
        Http2ProtocolException.ThrowStreamError(Http2ErrorCode.FlowControlError, streamId, message);
    }
}
