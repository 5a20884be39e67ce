using System.Runtime.CompilerServices;

namespace Meshy.Engine.Tasks;

/// <summary>
/// Holds a suspended async method (its state machine, copied here at its first real await) and runs it
/// on when what it awaits completes. One pool per state-machine type and thread.
/// </summary>
/// <remarks>
/// Why not the runtime's <see cref="PoolingAsyncValueTaskMethodBuilder{TResult}"/>: it keeps one box per
/// thread and one per core, so with more requests in flight than cores (64 keep-alive connections on a
/// 2-core host) nearly every suspended method allocates a new box: about 1 KiB per proxied request. A
/// proxy's methods suspend and resume on the few socket-engine threads, so a bounded per-thread stack
/// of boxes serves them all from the pool.
/// </remarks>
internal sealed class PooledStateMachineBox<TResult, TStateMachine> : PooledTaskBox<TResult>
    where TStateMachine : IAsyncStateMachine
{
    /// <summary>Boxes kept per thread: more than the requests one thread has in flight on a busy proxy.</summary>
    private const int PoolCapacity = 1024;

    private static readonly ContextCallback RunInContext = static box => ((PooledStateMachineBox<TResult, TStateMachine>)box!).StateMachine!.MoveNext();

    [ThreadStatic]
    private static PooledStateMachineBox<TResult, TStateMachine>[]? t_pool;

    [ThreadStatic]
    private static int t_pooled;

    private ExecutionContext? _context;

    private PooledStateMachineBox()
    {
        MoveNextAction = MoveNext;
    }

    /// <summary>The suspended method; default while the box is in a pool.</summary>
    public TStateMachine? StateMachine;

    /// <summary>Resumes the method: what every awaiter is given as its continuation (allocated once per box).</summary>
    public Action MoveNextAction { get; }

    public static PooledStateMachineBox<TResult, TStateMachine> Rent()
    {
        PooledStateMachineBox<TResult, TStateMachine>[]? pool = t_pool;
        if (pool is not null && t_pooled > 0)
        {
            int index = --t_pooled;
            PooledStateMachineBox<TResult, TStateMachine> box = pool[index];
            pool[index] = null!;
            return box;
        }
        return new PooledStateMachineBox<TResult, TStateMachine>();
    }

    /// <summary>Called at every suspension: the method resumes in the execution context it suspended in.</summary>
    public void CaptureContext() => _context = ExecutionContext.Capture();

    private void MoveNext()
    {
        ExecutionContext? context = _context;
        if (context is null)
        {
            StateMachine!.MoveNext(); // flow suppressed: run as the runtime would, in the current context
        }
        else
        {
            ExecutionContext.Run(context, RunInContext, this);
        }
    }

    protected override void Recycle()
    {
        ResetCore();
        StateMachine = default;
        _context = null;
        PooledStateMachineBox<TResult, TStateMachine>[]? pool = t_pool;
        if (pool is null || t_pooled == pool.Length)
        {
            if (pool is not null && pool.Length == PoolCapacity)
            {
                return; // full: this one goes to the GC
            }
            // Grown on demand: a method that never has many runs in flight keeps a small pool.
            Array.Resize(ref pool, pool is null ? 8 : pool.Length * 2);
            t_pool = pool;
        }
        pool[t_pooled++] = this;
    }
}
