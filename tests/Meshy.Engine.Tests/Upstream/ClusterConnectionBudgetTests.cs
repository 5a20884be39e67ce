using Meshy.Engine.Upstream.Pools;

namespace Meshy.Engine.Tests.Upstream;

/// <summary>The cluster budget's waits for a connection: every release reaches a live waiter, none is lost to a race or a waiter that gave up.</summary>
public sealed class ClusterConnectionBudgetTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Notify_AfterTheWaiterAheadGaveUp_WakesTheNextOne()
    {
        var budget = new ClusterConnectionBudget("backend");
        using var giveUp = new CancellationTokenSource();
        Task first = budget.WaitAsync(budget.Version, giveUp.Token);
        Task second = budget.WaitAsync(budget.Version, CancellationToken.None);

        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first).WaitAsync(Patience);
        Assert.False(second.IsCompleted);

        budget.Notify();

        await second.WaitAsync(Patience);
    }

    [Fact]
    public async Task WaitAsync_ReleaseSinceTheSeenVersion_ReturnsAtOnce()
    {
        var budget = new ClusterConnectionBudget("backend");
        long seen = budget.Version;
        budget.Notify();

        Task wait = budget.WaitAsync(seen, CancellationToken.None);

        Assert.True(wait.IsCompletedSuccessfully);
        await wait;
    }

    [Fact]
    public async Task Notify_RacingAWaitThatSawTheVersionBeforeIt_AlwaysEndsTheWait()
    {
        // Each round: the waiter reads the version, then waits while another thread releases once. The release
        // comes after the version was read, so the wait must end, whichever side the lock-free paths see first.
        const int Rounds = 20_000;
        var budget = new ClusterConnectionBudget("backend");
        int ready = 0;
        var releaser = new Thread(() =>
        {
            for (int round = 1; round <= Rounds; round++)
            {
                if (!SpinWait.SpinUntil(() => Volatile.Read(ref ready) >= round, Patience))
                {
                    return;
                }
                budget.Notify();
            }
        }) { IsBackground = true };
        releaser.Start();

        for (int round = 1; round <= Rounds; round++)
        {
            long seen = budget.Version;
            Volatile.Write(ref ready, round);
            Task wait = budget.WaitAsync(seen, CancellationToken.None);
            Assert.True(SpinWait.SpinUntil(() => wait.IsCompleted, TimeSpan.FromSeconds(5)), $"round {round}: the wait missed its release");
            await wait;
        }
        Assert.True(releaser.Join(Patience));
    }
}
