using System.Threading.Tasks.Sources;
using Meshy.Engine.Transport;

namespace Meshy.Filters.Http2.Client;

/// <summary>
/// The outcome of a stream's response head, awaited once by the router: true (a head arrived), false (the
/// connection closed cleanly before one), or the stream's failure. The first outcome set wins.
/// </summary>
/// <remarks>
/// A head that arrived wakes the router at the end of the socket engine's turn, on its thread: by then the
/// read loop has also taken the DATA frames that came in the same read, so a small response's body is
/// already complete when the router asks for it, and no thread pool hop happens for either. (Waking it on
/// the thread pool, as a <see cref="TaskCompletionSource{TResult}"/> did, cost a hop and a context switch per
/// request; waking it inline would run the router inside the read loop before the body arrived.) Failures
/// are set under the connection's lock, so their continuations go to the thread pool.
/// </remarks>
internal sealed class Http2HeadSignal : IValueTaskSource<bool>, IThreadPoolWorkItem
{
    private ManualResetValueTaskSourceCore<bool> _core;
    private int _set;

    /// <summary>Ready for the next stream (the previous outcome was consumed).</summary>
    public void Reset()
    {
        _core.Reset();
        _set = 0;
    }

    /// <summary>Completes when the outcome is set.</summary>
    public ValueTask<bool> WaitAsync() => new(this, _core.Version);

    /// <summary>The head arrived (read loop): the waiter runs after this engine turn.</summary>
    public void SetHeadArrived()
    {
        if (Interlocked.Exchange(ref _set, 1) == 0)
        {
            EpollEngine.QueueAfterEvents(this);
        }
    }

    /// <summary>The connection closed before a head, without an error.</summary>
    public void SetClosed() => Set(false, null);

    /// <summary>The stream failed before its head was read.</summary>
    public void SetFailed(Exception failure) => Set(false, failure);

    private void Set(bool result, Exception? failure)
    {
        if (Interlocked.Exchange(ref _set, 1) != 0)
        {
            return;
        }
        _core.RunContinuationsAsynchronously = true;
        if (failure is null)
        {
            _core.SetResult(result);
        }
        else
        {
            _core.SetException(failure);
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        _core.RunContinuationsAsynchronously = false;
        _core.SetResult(true);
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
