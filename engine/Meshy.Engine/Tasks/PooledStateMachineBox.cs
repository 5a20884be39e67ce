using System.Runtime.CompilerServices;

namespace Meshy.Engine.Tasks;

/// <summary>
/// Holds a suspended async method (its state machine, copied here at its first real await) and runs it
/// on when what it awaits completes. Pooled per state-machine type: a stack per thread, and a shared
/// stack that takes what one thread frees and another needs.
/// </summary>
/// <remarks>
/// Why not the runtime's <see cref="PoolingAsyncValueTaskMethodBuilder{TResult}"/>: it keeps one box per
/// thread and one per core, so with more requests in flight than cores (64 keep-alive connections on a
/// 2-core host) nearly every suspended method allocates a new box: about 1 KiB per proxied request.
/// Boxes often move between threads (an HTTP/2 stream served on a pool thread, resumed by the socket
/// engine), hence the shared stack behind the per-thread ones.
/// </remarks>
internal sealed class PooledStateMachineBox<TResult, TStateMachine> : PooledTaskBox<TResult>
    where TStateMachine : IAsyncStateMachine
{
    /// <summary>
    /// Boxes kept per thread without a lock: more than one engine thread has suspended in one method (h2load's
    /// 16 × 32 streams keep 512 in flight; with 256 here, every other rent and recycle took the shared lock).
    /// </summary>
    private const int LocalCapacity = 1024;

    /// <summary>Boxes kept in the shared stack: more than a busy proxy has in flight per method.</summary>
    private const int SharedCapacity = 4096;

    private static readonly ContextCallback RunInContext = static box => ((PooledStateMachineBox<TResult, TStateMachine>)box!).StateMachine!.MoveNext();

    private static readonly Lock SharedLock = new();

    private static PooledStateMachineBox<TResult, TStateMachine>[]? s_shared;

    private static int s_sharedCount;

    [ThreadStatic]
    private static PooledStateMachineBox<TResult, TStateMachine>[]? t_local;

    [ThreadStatic]
    private static int t_localCount;

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
        if (t_localCount > 0)
        {
            return Take(t_local!, ref t_localCount);
        }
        if (Volatile.Read(ref s_sharedCount) > 0)
        {
            lock (SharedLock)
            {
                if (s_sharedCount > 0)
                {
                    return Take(s_shared!, ref s_sharedCount);
                }
            }
        }
        return new PooledStateMachineBox<TResult, TStateMachine>();
    }

    /// <summary>Called at every suspension: the method resumes in the execution context it suspended in.</summary>
    public void CaptureContext() => _context = ExecutionContext.Capture();

    private void MoveNext()
    {
        ExecutionContext? context = _context;
        // Flow suppressed at the suspension, or the default context resumed on a thread whose context is the
        // default or suppressed: nothing to switch. The second is the common case: a connection's methods started
        // on a pool thread (default context) and resumed through ExecutionContext.Run, which lifts the engine
        // thread's suppression for the call, so every suspension after captured the default context again.
        // NOTE: unlike ExecutionContext.Run, this does not restore the thread's context afterwards, so an
        // async-local set by a method resumed here would stay on the engine thread. Meshy sets none (the engine
        // threads rely on that: see EpollEngine.Run); code that needs one must not run on these builders.
        if (context is null || DefaultExecutionContext.MatchesCurrent(context))
        {
            StateMachine!.MoveNext();
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
        if (TryPut(ref t_local, ref t_localCount, LocalCapacity))
        {
            return;
        }
        lock (SharedLock)
        {
            TryPut(ref s_shared, ref s_sharedCount, SharedCapacity); // full: this one goes to the GC
        }
    }

    private static PooledStateMachineBox<TResult, TStateMachine> Take(PooledStateMachineBox<TResult, TStateMachine>[] stack, ref int count)
    {
        int index = --count;
        PooledStateMachineBox<TResult, TStateMachine> box = stack[index];
        stack[index] = null!;
        return box;
    }

    /// <summary>Pushes this box; the stack grows on demand, so a method rarely in flight keeps a small one.</summary>
    private bool TryPut(ref PooledStateMachineBox<TResult, TStateMachine>[]? stack, ref int count, int capacity)
    {
        if (stack is null || count == stack.Length)
        {
            if (stack is not null && stack.Length >= capacity)
            {
                return false;
            }
            Array.Resize(ref stack, stack is null ? 8 : stack.Length * 2);
        }
        stack[count++] = this;
        return true;
    }
}
