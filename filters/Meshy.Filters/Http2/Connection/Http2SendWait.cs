using System.Threading.Tasks.Sources;

namespace Meshy.Filters.Http2.Connection;

/// <summary>
/// A stream's wait for the connection's next batched send to carry its frames: true when they went out,
/// the send's exception when it failed. One per stream, reused, one wait at a time. Completed inline on the
/// sender's thread: the stream goes on right where its frames left.
/// </summary>
internal sealed class Http2SendWait : IValueTaskSource<bool>
{
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = false };

    /// <summary>The wait for the send now queued.</summary>
    public ValueTask<bool> Wait() => new(this, _core.Version);

    /// <summary>The frames went out.</summary>
    public void Sent() => _core.SetResult(true);

    /// <summary>The send failed with <paramref name="error"/>.</summary>
    public void Failed(Exception error) => _core.SetException(error);

    bool IValueTaskSource<bool>.GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
        }
    }

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
