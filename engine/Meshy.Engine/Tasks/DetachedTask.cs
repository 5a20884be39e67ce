namespace Meshy.Engine.Tasks;

/// <summary>
/// Runs a task on that no one awaits, and takes its result when it ends. A pooled async method
/// (<see cref="PooledValueTaskMethodBuilder"/>) gives its box back when its result is taken, so a discarded one
/// that suspended would leave its box to the GC; detached here, the box goes back to its pool.
/// </summary>
/// <remarks>
/// The task must handle its own failures: a failure reaching here is dropped, as a discarded task's would be.
/// The waiting costs nothing per run in steady state: its waiters are pooled per thread.
/// </remarks>
public static class DetachedTask
{
    /// <summary>Lets <paramref name="task"/> run to its end and takes its result then.</summary>
    public static void Forget(ValueTask task)
    {
        if (task.IsCompleted)
        {
            Take(task);
            return;
        }
        Waiter.Rent().Wait(task);
    }

    private static void Take(ValueTask task)
    {
        try
        {
            task.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The task's own business (see remarks).
        }
    }

    /// <summary>Holds one task until it ends: its own object, so runs never share a field however they interleave.</summary>
    private sealed class Waiter
    {
        private const int PoolCapacity = 256;

        [ThreadStatic]
        private static Stack<Waiter>? t_pool;

        private readonly Action _onEnded;
        private ValueTask _task;

        private Waiter() => _onEnded = OnEnded;

        public static Waiter Rent() => t_pool is { Count: > 0 } pool ? pool.Pop() : new Waiter();

        public void Wait(ValueTask task)
        {
            _task = task;
            task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onEnded);
        }

        private void OnEnded()
        {
            ValueTask task = _task;
            _task = default;
            // Back to the pool of the thread it ended on: on an engine thread, the one that starts such tasks.
            Stack<Waiter> pool = t_pool ??= new Stack<Waiter>();
            if (pool.Count < PoolCapacity)
            {
                pool.Push(this);
            }
            Take(task);
        }
    }
}
