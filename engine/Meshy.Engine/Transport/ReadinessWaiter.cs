using System.Threading.Tasks.Sources;

namespace Meshy.Engine.Transport;

/// <summary>
/// A reusable wait for the next event of a <see cref="ReadinessSignal"/>: one per party that waits (a
/// reader or receive loop, a sender), one wait at a time, so waiting allocates nothing.
/// </summary>
internal sealed class ReadinessWaiter : IValueTaskSource
{
    private static readonly Action<object?> OnCanceled = static state => ((ReadinessWaiter)state!).Cancel();

    private ManualResetValueTaskSourceCore<bool> _core;
    private ReadinessSignal? _signal;
    private CancellationTokenRegistration _cancellation;
    private CancellationToken _token;

    /// <summary>Next in its signal's list of waiters (guarded by the signal's lock).</summary>
    internal ReadinessWaiter? Next { get; set; }

    /// <summary>
    /// Completes at the first event after <paramref name="seenEvents"/>: at once when one already came or the
    /// socket is closed (the caller retries its system call either way).
    /// </summary>
    public ValueTask WaitAsync(ReadinessSignal signal, long seenEvents, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }
        _core.Reset();
        _signal = signal;
        if (!signal.TryEnqueue(this, seenEvents))
        {
            _signal = null;
            return ValueTask.CompletedTask;
        }
        if (cancellationToken.CanBeCanceled)
        {
            _token = cancellationToken;
            _cancellation = cancellationToken.UnsafeRegister(OnCanceled, this);
        }
        return new ValueTask(this, _core.Version);
    }

    /// <summary>
    /// Runs <paramref name="continuation"/> with <paramref name="state"/> when the queued wait ends, as awaiting
    /// <see cref="WaitAsync"/>'s task would, without the awaiter's trampoline: that is one more delegate, and a
    /// cache miss on it, per event. Only while a wait is queued.
    /// </summary>
    internal void OnWaitEnded(Action<object?> continuation, object state) =>
        _core.OnCompleted(continuation, state, _core.Version, ValueTaskSourceOnCompletedFlags.None);

    /// <summary>The event came (the signal took this waiter off its list).</summary>
    internal void Wake(bool asynchronously)
    {
        _core.RunContinuationsAsynchronously = asynchronously;
        _core.SetResult(true);
    }

    /// <summary>
    /// Ends a queued wait now, as if the event had come, with the continuation inline on this thread; false when
    /// none is queued (not waiting, or already woken). For a <see cref="System.IO.Pipelines.PipeReader.CancelPendingRead"/>.
    /// </summary>
    internal bool TryInterrupt()
    {
        if (Volatile.Read(ref _signal) is { } signal && signal.TryRemove(this))
        {
            _core.RunContinuationsAsynchronously = false;
            _core.SetResult(true);
            return true;
        }
        return false;
    }

    private void Cancel()
    {
        if (_signal is { } signal && signal.TryRemove(this))
        {
            _core.RunContinuationsAsynchronously = true;
            _core.SetException(new OperationCanceledException(_token));
        }
    }

    void IValueTaskSource.GetResult(short token)
    {
        // Dispose waits for a cancel callback already running, so none can touch the next wait.
        _cancellation.Dispose();
        _cancellation = default;
        _token = default;
        _signal = null;
        _core.GetResult(token);
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
