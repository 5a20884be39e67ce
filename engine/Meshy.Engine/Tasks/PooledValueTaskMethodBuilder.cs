using System.Runtime.CompilerServices;

namespace Meshy.Engine.Tasks;

/// <summary>
/// <see cref="PooledValueTaskMethodBuilder{TResult}"/> for methods returning a plain <see cref="ValueTask"/>:
/// <c>[AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]</c>.
/// </summary>
public struct PooledValueTaskMethodBuilder
{
    private PooledValueTaskMethodBuilder<VoidResult> _inner;

    public static PooledValueTaskMethodBuilder Create() => default;

    public readonly ValueTask Task => _inner.Box is { } box
        ? new ValueTask(box, box.Version)
        : _inner.Exception is { } exception ? ValueTask.FromException(exception) : ValueTask.CompletedTask;

    public readonly void Start<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine =>
        default(AsyncValueTaskMethodBuilder).Start(ref stateMachine);

    public readonly void SetStateMachine(IAsyncStateMachine stateMachine)
    {
    }

    public void SetResult() => _inner.SetResult(default);

    public void SetException(Exception exception) => _inner.SetException(exception);

    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion
        where TStateMachine : IAsyncStateMachine =>
        _inner.AwaitOnCompleted(ref awaiter, ref stateMachine);

    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion
        where TStateMachine : IAsyncStateMachine =>
        _inner.AwaitUnsafeOnCompleted(ref awaiter, ref stateMachine);
}
