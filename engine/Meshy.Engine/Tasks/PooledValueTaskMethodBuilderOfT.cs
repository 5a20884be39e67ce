using System.Runtime.CompilerServices;

namespace Meshy.Engine.Tasks;

/// <summary>
/// The async method builder of Meshy's hot paths, for methods returning <see cref="ValueTask{TResult}"/>:
/// <c>[AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder&lt;&gt;))]</c>. A method that completes
/// without suspending allocates nothing; one that suspends takes its box from a pool (per thread, backed by a shared one)
/// (<see cref="PooledStateMachineBox{TResult, TStateMachine}"/>) and gives it back when its result is taken.
/// </summary>
/// <remarks>The usual <see cref="ValueTask{TResult}"/> rule is a hard one here: await the result once.</remarks>
public struct PooledValueTaskMethodBuilder<TResult>
{
    private PooledTaskBox<TResult>? _box;
    private TResult _result;
    private Exception? _exception;

    public static PooledValueTaskMethodBuilder<TResult> Create() => default;

    /// <summary>The box of a method that suspended; null when it completed without suspending.</summary>
    internal readonly PooledTaskBox<TResult>? Box => _box;

    /// <summary>The exception a method threw before it ever suspended.</summary>
    internal readonly Exception? Exception => _exception;

    public readonly ValueTask<TResult> Task
    {
        get
        {
            if (_box is { } box)
            {
                return new ValueTask<TResult>(box, box.Version);
            }
            return _exception is null ? new ValueTask<TResult>(_result) : ValueTask.FromException<TResult>(_exception);
        }
    }

    public readonly void Start<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine =>
        default(AsyncValueTaskMethodBuilder<TResult>).Start(ref stateMachine); // saves and restores the caller's contexts

    public readonly void SetStateMachine(IAsyncStateMachine stateMachine)
    {
    }

    public void SetResult(TResult result)
    {
        if (_box is null)
        {
            _result = result; // completed without suspending: no box
        }
        else
        {
            _box.SetResult(result);
        }
    }

    public void SetException(Exception exception)
    {
        if (_box is null)
        {
            _exception = exception;
        }
        else
        {
            _box.SetException(exception);
        }
    }

    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion
        where TStateMachine : IAsyncStateMachine =>
        awaiter.OnCompleted(Suspend(ref stateMachine).MoveNextAction);

    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion
        where TStateMachine : IAsyncStateMachine =>
        awaiter.UnsafeOnCompleted(Suspend(ref stateMachine).MoveNextAction);

    /// <summary>The box the method resumes from: at the first suspension, rented and loaded with the state machine.</summary>
    private PooledStateMachineBox<TResult, TStateMachine> Suspend<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine
    {
        if (_box is PooledStateMachineBox<TResult, TStateMachine> box)
        {
            box.CaptureContext();
            return box;
        }
        box = PooledStateMachineBox<TResult, TStateMachine>.Rent();
        // NOTE: this builder lives inside stateMachine, so the box must be set before the copy: the copy
        // in the box then knows its box too, and so does the caller's, which reads Task next.
        _box = box;
        box.StateMachine = stateMachine;
        box.CaptureContext();
        return box;
    }
}
