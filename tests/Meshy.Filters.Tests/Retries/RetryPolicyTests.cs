using System.Collections.Immutable;
using Meshy.Conf.Schema;
using Meshy.Engine.Http;
using Meshy.Filters.Router;

namespace Meshy.Filters.Tests.Retries;

/// <summary>The compiled <c>retries</c>: conditions, idempotency and the backoff ceiling.</summary>
public sealed class RetryPolicyTests
{
    [Theory]
    [InlineData(0, 25)]
    [InlineData(1, 50)]
    [InlineData(2, 100)]
    [InlineData(3, 200)]
    [InlineData(4, 250)]
    [InlineData(30, 250)]
    public void Backoff_RetryNumber_FullJitterUnderCeiling(int retry, int ceilingMs)
    {
        Assert.Equal(TimeSpan.Zero, RetryPolicy.Backoff(retry, 0.0));
        Assert.Equal(TimeSpan.FromMilliseconds(ceilingMs / 2.0), RetryPolicy.Backoff(retry, 0.5));
        TimeSpan top = RetryPolicy.Backoff(retry, 0.999999);
        Assert.True(top < TimeSpan.FromMilliseconds(ceilingMs) && top > TimeSpan.FromMilliseconds(ceilingMs * 0.99), $"{top}");
    }

    [Fact]
    public void RetriesStatus_NamedConditionsAndCodes_MatchEnvoy()
    {
        var gateway = new RetryPolicy(new RetriesConfig { On = RetryOn.GatewayError, StatusCodes = [] });
        var any5xx = new RetryPolicy(new RetriesConfig { On = RetryOn.Status5xx, StatusCodes = [] });
        var conflict = new RetryPolicy(new RetriesConfig { On = RetryOn.Retriable4xx, StatusCodes = ImmutableArray.Create(429) });

        Assert.True(gateway.RetriesStatus(502) && gateway.RetriesStatus(503) && gateway.RetriesStatus(504));
        Assert.False(gateway.RetriesStatus(500));
        Assert.True(any5xx.RetriesStatus(500) && any5xx.RetriesStatus(599));
        Assert.False(any5xx.RetriesStatus(409));
        Assert.True(conflict.RetriesStatus(409) && conflict.RetriesStatus(429));
        Assert.False(conflict.RetriesStatus(503));
        Assert.True(gateway.RetriesPerTryTimeout && any5xx.RetriesPerTryTimeout);
        Assert.False(conflict.RetriesPerTryTimeout);
    }

    [Fact]
    public void AllowsResend_NonIdempotentMethod_OnlyWhenConfigured()
    {
        var strict = new RetryPolicy(new RetriesConfig());
        var lax = new RetryPolicy(new RetriesConfig { NonIdempotent = true });

        foreach (HttpMethodKind method in new[] { HttpMethodKind.Get, HttpMethodKind.Head, HttpMethodKind.Options, HttpMethodKind.Put, HttpMethodKind.Delete, HttpMethodKind.Trace })
        {
            Assert.True(strict.AllowsResend(method), method.ToString());
        }
        Assert.False(strict.AllowsResend(HttpMethodKind.Post));
        Assert.False(strict.AllowsResend(HttpMethodKind.Patch));
        Assert.True(lax.AllowsResend(HttpMethodKind.Post));
    }
}
