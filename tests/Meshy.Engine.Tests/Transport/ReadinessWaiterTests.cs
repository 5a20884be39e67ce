using Meshy.Engine.Transport;
using Meshy.Testing;

namespace Meshy.Engine.Tests.Transport;

/// <summary>The epoll engine's waits: never an edge lost between a failed system call and the wait, and cancellation as a value.</summary>
public sealed class ReadinessWaiterTests
{
    [Fact]
    public void WaitAsync_EventSinceTheSeenCount_CompletesAtOnce()
    {
        var signal = new ReadinessSignal();
        long seen = signal.Events;
        signal.Signal(wakeAsynchronously: false);

        Assert.True(new ReadinessWaiter().WaitAsync(signal, seen, CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task WaitAsync_NoEventYet_CompletesAtTheNextSignal()
    {
        var signal = new ReadinessSignal();
        ValueTask wait = new ReadinessWaiter().WaitAsync(signal, signal.Events, CancellationToken.None);
        Assert.False(wait.IsCompleted);

        signal.Signal(wakeAsynchronously: false);

        Assert.True(wait.IsCompleted);
        await wait;
    }

    [Fact]
    public async Task WaitAsync_TokenAlreadyCanceled_ReturnsACanceledWaitInsteadOfThrowing()
    {
        var signal = new ReadinessSignal();
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        ValueTask wait = new ReadinessWaiter().WaitAsync(signal, signal.Events, cts.Token);

        Assert.True(wait.IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wait);
    }

    [Fact]
    public async Task WaitAsync_CanceledWhileWaiting_EndsCanceledAndTheWaiterCanWaitAgain()
    {
        var signal = new ReadinessSignal();
        var waiter = new ReadinessWaiter();
        using var cts = new CancellationTokenSource();
        ValueTask wait = waiter.WaitAsync(signal, signal.Events, cts.Token);

        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wait).WaitAsync(TimeSpan.FromSeconds(10));
        ValueTask again = waiter.WaitAsync(signal, signal.Events, CancellationToken.None);
        Assert.False(again.IsCompleted);
        signal.Signal(wakeAsynchronously: false);
        Assert.True(again.IsCompleted);
        await again;
    }

    [Fact]
    public async Task Close_WakesTheWaiterAndLaterWaitsDoNotBlock()
    {
        var signal = new ReadinessSignal();
        ValueTask wait = new ReadinessWaiter().WaitAsync(signal, signal.Events, CancellationToken.None);

        signal.Close();

        await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(new ReadinessWaiter().WaitAsync(signal, signal.Events, CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Signal_RacingAWaitThatSawTheCountBeforeIt_AlwaysEndsTheWait()
    {
        // The lock-free signal against a wait queued from the count read before it: one always sees the other.
        var signal = new ReadinessSignal();
        var waiter = new ReadinessWaiter();
        await WakeRace.RunAsync(100_000, () => signal.Signal(wakeAsynchronously: false), () =>
        {
            long seen = signal.Events;
            return () => waiter.WaitAsync(signal, seen, CancellationToken.None);
        });
    }
}
