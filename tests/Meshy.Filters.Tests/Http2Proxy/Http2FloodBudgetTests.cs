using Meshy.Filters.Http2.Connection;

namespace Meshy.Filters.Tests.Http2Proxy;

public sealed class Http2FloodBudgetTests
{
    private const long Second = 1_000;

    [Fact]
    public void TryCount_UpToTheLimitWithinAWindow_AllowedThenRefused()
    {
        var budget = new Http2FloodBudget(100, TimeSpan.FromSeconds(10));
        for (int i = 0; i < 100; i++)
        {
            Assert.True(budget.TryCount(1 + i, 10 * Second));
        }
        Assert.False(budget.TryCount(200, 10 * Second));
    }

    [Fact]
    public void TryCount_SteadyRateBelowTheLimit_NeverRefused()
    {
        var budget = new Http2FloodBudget(100, TimeSpan.FromSeconds(10));
        // 8 per second = 80 per 10 s, for a minute.
        for (long now = 1; now < 60 * Second; now += Second / 8)
        {
            Assert.True(budget.TryCount(now, 10 * Second));
        }
    }

    [Fact]
    public void TryCount_AfterAQuietPeriod_BudgetIsBack()
    {
        var budget = new Http2FloodBudget(10, TimeSpan.FromSeconds(10));
        for (int i = 0; i < 10; i++)
        {
            budget.TryCount(1 + i, 10 * Second);
        }
        Assert.False(budget.TryCount(20, 10 * Second));
        Assert.True(budget.TryCount(30 * Second, 10 * Second));
    }
}
