using Meshy.Conf.Schema;
using Meshy.Engine.Http;
using Meshy.Engine.Pipeline;
using Meshy.Filters.Fault;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshy.Filters.Tests.Fault;

/// <summary>The fault filter on a test exchange with scripted draws: which requests are delayed or aborted, and how.</summary>
public sealed class FaultFilterTests
{
    [Fact]
    public async Task FaultFilter_AbortHalfAPercent_AbortsExactlyTheDrawsBelowIt()
    {
        // 100 000 draws evenly over [0, 100): exactly the 500 below 0.5 abort.
        var random = new ScriptedRandom([.. Enumerable.Range(0, 100_000).Select(i => i * 0.001)]);
        FaultFilter filter = Filter(new FaultConfig { Abort = new FaultAbortConfig { Percent = 0.5, Status = 503 } }, random);
        int aborted = 0;
        for (int i = 0; i < 100_000; i++)
        {
            using var test = new TestExchange();
            FilterStatus status = await filter.OnRequestHeadersAsync(test.Exchange);
            if (status == FilterStatus.StopAndReply)
            {
                aborted++;
                Assert.Equal(503, test.Exchange.Response.StatusCode);
                Assert.Equal(ResponseFlags.FaultInjected, test.Exchange.ResponseFlags);
                Assert.True(i < 500, $"draw {i * 0.001} aborted");
            }
        }
        Assert.Equal(500, aborted);
        Assert.Equal(100_000, random.Taken);                    // one draw per request: no delay configured
    }

    [Fact]
    public async Task FaultFilter_NeitherFaultDrawn_ContinuesSynchronouslyAfterTwoIndependentDraws()
    {
        var random = new ScriptedRandom(60.0);
        FaultFilter filter = Filter(new FaultConfig
        {
            Delay = new FaultDelayConfig { Percent = 50, Fixed = TimeSpan.FromHours(1) },
            Abort = new FaultAbortConfig { Percent = 50, Status = 500 },
        }, random);
        using var test = new TestExchange();

        ValueTask<FilterStatus> pending = filter.OnRequestHeadersAsync(test.Exchange);

        Assert.True(pending.IsCompletedSuccessfully);
        Assert.Equal(FilterStatus.Continue, await pending);
        Assert.Equal(ResponseFlags.None, test.Exchange.ResponseFlags);
        Assert.Equal(2, random.Taken);
    }

    [Fact]
    public async Task FaultFilter_DelayDrawnAbortNot_DelaysAndContinuesWithDI()
    {
        FaultFilter filter = Filter(new FaultConfig
        {
            Delay = new FaultDelayConfig { Percent = 50, Fixed = TimeSpan.Zero },
            Abort = new FaultAbortConfig { Percent = 50, Status = 500 },
        }, new ScriptedRandom(10.0, 90.0));
        using var test = new TestExchange();

        FilterStatus status = await filter.OnRequestHeadersAsync(test.Exchange);

        Assert.Equal(FilterStatus.Continue, status);
        Assert.Equal(ResponseFlags.DelayInjected, test.Exchange.ResponseFlags);
        Assert.False(test.Exchange.IsLocalReply);
    }

    [Fact]
    public async Task FaultFilter_TimersFireEarly_StillDelaysTheWholeFixedTime()
    {
        var delay = TimeSpan.FromMilliseconds(200);
        FaultFilter filter = Filter(new FaultConfig { Delay = new FaultDelayConfig { Percent = 100, Fixed = delay } }, new ScriptedRandom(0.0));
        var time = new EarlyTimers();
        using var test = new TestExchange(time: time);

        long start = time.GetTimestamp();
        FilterStatus status = await filter.OnRequestHeadersAsync(test.Exchange);

        Assert.Equal(FilterStatus.Continue, status);
        Assert.True(time.GetElapsedTime(start) >= delay, $"delayed {time.GetElapsedTime(start).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task FaultFilter_DelayAndAbortDrawn_BothAppliedWithDIAndFI()
    {
        FaultFilter filter = Filter(new FaultConfig
        {
            Delay = new FaultDelayConfig { Percent = 100, Fixed = TimeSpan.Zero },
            Abort = new FaultAbortConfig { Percent = 100, Status = 429 },
        }, new ScriptedRandom(99.9999));
        using var test = new TestExchange();

        FilterStatus status = await filter.OnRequestHeadersAsync(test.Exchange);

        Assert.Equal(FilterStatus.StopAndReply, status);
        Assert.Equal(429, test.Exchange.Response.StatusCode);
        Assert.Equal(ResponseFlags.DelayInjected | ResponseFlags.FaultInjected, test.Exchange.ResponseFlags);
        Assert.Equal("fault filter abort\n", System.Text.Encoding.ASCII.GetString(test.Exchange.LocalReplyBody.Span));
    }

    [Fact]
    public async Task FaultFilter_ZeroPercent_NeverDrawsNorFires()
    {
        var random = new ScriptedRandom(0.0);
        FaultFilter filter = Filter(new FaultConfig
        {
            Delay = new FaultDelayConfig { Percent = 0, Fixed = TimeSpan.FromHours(1) },
            Abort = new FaultAbortConfig { Percent = 0, Status = 500 },
        }, random);
        using var test = new TestExchange();

        Assert.Equal(FilterStatus.Continue, await filter.OnRequestHeadersAsync(test.Exchange));
        Assert.Equal(0, random.Taken);
    }

    [Theory]
    [InlineData(503, null, 14)]
    [InlineData(500, null, 2)]
    [InlineData(404, 5, 5)]
    public async Task FaultFilter_GrpcRequestAborted_Answers200WithGrpcStatusAndNoBody(int status, int? grpcStatus, int expected)
    {
        FaultFilter filter = Filter(new FaultConfig { Abort = new FaultAbortConfig { Percent = 100, Status = status, GrpcStatus = grpcStatus } }, new ScriptedRandom(0.0));
        using var test = new TestExchange(contentType: "application/grpc+proto");

        FilterStatus result = await filter.OnRequestHeadersAsync(test.Exchange);

        Assert.Equal(FilterStatus.StopAndReply, result);
        HttpExchange exchange = test.Exchange;
        Assert.Equal(200, exchange.Response.StatusCode);
        Assert.Equal("application/grpc", test.ResponseHeader("content-type"));
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), test.ResponseHeader("grpc-status"));
        Assert.Equal("fault filter abort", test.ResponseHeader("grpc-message"));
        Assert.Equal(expected, exchange.GrpcStatus);
        Assert.Equal(0, exchange.Response.ContentLength);
        Assert.False(exchange.Response.HasBody);
        Assert.True(exchange.LocalReplyBody.IsEmpty);
        Assert.Equal(ResponseFlags.FaultInjected, exchange.ResponseFlags);
    }

    private static FaultFilter Filter(FaultConfig config, ScriptedRandom random) =>
        new(FaultSettings.From(config), random, NullLogger.Instance);

    /// <summary>The system clock, with timers that fire after 90 % of their due time, as coarse timers can.</summary>
    private sealed class EarlyTimers : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => System.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : dueTime * 0.9, period);
    }
}
