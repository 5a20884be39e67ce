using System.Threading.Tasks.Sources;

namespace Meshy.Engine.Tasks;

/// <summary>
/// What the <see cref="ValueTask{TResult}"/> of a pooled async method awaits once its async method has suspended: the result (or
/// exception) of one run of the method. Recycled into its pool when the awaiter takes the result.
/// </summary>
internal abstract class PooledTaskBox<TResult> : IValueTaskSource<TResult>, IValueTaskSource
{
    private ManualResetValueTaskSourceCore<TResult> _core; // mutable struct: never readonly

    /// <summary>The token of the current run, for the <see cref="ValueTask{TResult}"/> handed to the caller.</summary>
    public short Version => _core.Version;

    public void SetResult(TResult result) => _core.SetResult(result);

    public void SetException(Exception exception) => _core.SetException(exception);

    public TResult GetResult(short token)
    {
        if (!IsCurrentAndDone(token))
        {
            return _core.GetResult(token); // throws: a stale or early read must not recycle a run it does not own
        }
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Recycle();
        }
    }

    void IValueTaskSource.GetResult(short token)
    {
        if (!IsCurrentAndDone(token))
        {
            _core.GetResult(token); // throws, as above
            return;
        }
        try
        {
            _core.GetResult(token);
        }
        finally
        {
            Recycle();
        }
    }

    private bool IsCurrentAndDone(short token) => token == _core.Version && _core.GetStatus(token) != ValueTaskSourceStatus.Pending;

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    /// <summary>Ends this run (the next token differs, so a stale awaiter fails) and returns the box to its pool.</summary>
    protected void ResetCore() => _core.Reset();

    protected abstract void Recycle();
}
