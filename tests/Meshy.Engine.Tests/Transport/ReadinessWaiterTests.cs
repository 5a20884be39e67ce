using Meshy.Engine.Transport;

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
        // Each round: the waiter reads the count, then waits while another thread signals once. The signal comes
        // after the count was read, so the wait must end, whichever of the two the lock-free paths see first.
        const int Rounds = 50_000;
        var signal = new ReadinessSignal();
        var waiter = new ReadinessWaiter();
        int ready = 0;
        var signaller = new Thread(() =>
        {
            for (int round = 1; round <= Rounds; round++)
            {
                if (!SpinWait.SpinUntil(() => Volatile.Read(ref ready) >= round, TimeSpan.FromSeconds(10)))
                {
                    return;
                }
                signal.Signal(wakeAsynchronously: false);
            }
        }) { IsBackground = true };
        signaller.Start();

        for (int round = 1; round <= Rounds; round++)
        {
            long seen = signal.Events;
            Volatile.Write(ref ready, round);
            ValueTask wait = waiter.WaitAsync(signal, seen, CancellationToken.None);
            Assert.True(SpinWait.SpinUntil(() => wait.IsCompleted, TimeSpan.FromSeconds(5)), $"round {round}: the wait missed its signal");
            await wait;
        }
        Assert.True(signaller.Join(TimeSpan.FromSeconds(10)));
    }
}
