using Meshy.Engine.Upstream.Pools;
using Meshy.Testing;

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
        // The lock-free release against a wait queued from the version read before it: one always sees the other.
        var budget = new ClusterConnectionBudget("backend");
        await WakeRace.RunAsync(30_000, budget.Notify, () =>
        {
            long seen = budget.Version;
            return () => new ValueTask(budget.WaitAsync(seen, CancellationToken.None));
        });
    }
}
