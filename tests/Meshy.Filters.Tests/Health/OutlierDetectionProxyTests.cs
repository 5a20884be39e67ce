using System.Net;
using System.Net.Sockets;
using Meshy.Engine.Upstream;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Health;

/// <summary>Outlier detection end to end: requests through the router to real backends on loopback.</summary>
public sealed class OutlierDetectionProxyTests
{
    private static async Task<int> GetStatusAsync(HttpClient client, string path = "/")
    {
        using HttpResponseMessage response = await client.GetAsync(path);
        return (int)response.StatusCode;
    }

    [Fact]
    public async Task Outlier_EndpointAnswering500_EjectedThenNoTrafficThenReturns()
    {
        await using FakeHttpUpstream bad = HealthConfigs.Answering(() => 500);
        await using FakeHttpUpstream good = FakeHttpUpstream.Echo();
        await using HealthProxy proxy = await HealthProxy.StartAsync(HealthConfigs.Web(
            """outlier_detection = { consecutive_5xx = 3, interval = "100ms", base_ejection_time = "2s", max_ejection_percent = 50 }""",
            bad.EndPoint, good.EndPoint));
        using HttpClient client = proxy.CreateClient();

        // Round robin alternates: the bad endpoint gets its third 500 within six requests.
        for (int i = 0; i < 6; i++)
        {
            await GetStatusAsync(client);
        }
        Assert.Equal(3, bad.Requests.Count);
        EndpointState state = proxy.State("backend", bad.EndPoint);
        Assert.True(state.EjectedUntilTicks > DateTime.UtcNow.Ticks);
        Assert.Equal(1, proxy.Snapshot.Clusters["backend"].Health!.Ejections);

        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(200, await GetStatusAsync(client));
        }
        Assert.Equal(3, bad.Requests.Count);
        Assert.Contains(proxy.Logs.Lines, l => l.Contains("ejected endpoint " + bad.EndPoint, StringComparison.Ordinal));

        // After base_ejection_time it takes traffic again.
        await Loopback.WaitUntilAsync(() =>
        {
            GetStatusAsync(client).GetAwaiter().GetResult();
            return bad.Requests.Count > 3;
        }, "the ejected endpoint is back after its ejection time");
        await Loopback.WaitUntilAsync(() => proxy.Logs.Lines.Any(l => l.Contains("is back in service", StringComparison.Ordinal)), "the return is logged");
    }

    [Fact]
    public async Task Outlier_ConnectFailures_EjectTheClosedPort()
    {
        using Socket refusing = Loopback.BindRefusing();
        await using FakeHttpUpstream good = FakeHttpUpstream.Echo();
        await using HealthProxy proxy = await HealthProxy.StartAsync(HealthConfigs.Web(
            """outlier_detection = { consecutive_5xx = 2, base_ejection_time = "1m", max_ejection_percent = 50 }""",
            refusing.LocalEndPoint!, good.EndPoint));
        using HttpClient client = proxy.CreateClient();

        int failures = 0;
        for (int i = 0; i < 4; i++)
        {
            failures += await GetStatusAsync(client) == 503 ? 1 : 0;
        }
        Assert.Equal(2, failures);

        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(200, await GetStatusAsync(client));
        }
        Assert.True(proxy.State("backend", refusing.LocalEndPoint!).EjectedUntilTicks > DateTime.UtcNow.Ticks);
    }

    [Fact]
    public async Task Outlier_MaxEjectionPercent_KeepsPartOfAFailingClusterInService()
    {
        await using FakeHttpUpstream first = HealthConfigs.Answering(() => 500);
        await using FakeHttpUpstream second = HealthConfigs.Answering(() => 500);
        await using HealthProxy proxy = await HealthProxy.StartAsync(HealthConfigs.Web(
            """outlier_detection = { consecutive_5xx = 2, base_ejection_time = "1m", max_ejection_percent = 50 }""",
            first.EndPoint, second.EndPoint));
        using HttpClient client = proxy.CreateClient();
        for (int i = 0; i < 6; i++)
        {
            await GetStatusAsync(client);
        }
        int before = first.Requests.Count + second.Requests.Count;
        int firstBefore = first.Requests.Count;

        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(500, await GetStatusAsync(client));
        }

        // One of two may be out: the other takes every request (in panic mode both would share them).
        int firstGot = first.Requests.Count - firstBefore;
        Assert.Equal(before + 10, first.Requests.Count + second.Requests.Count);
        Assert.True(firstGot is 0 or 10, $"the first endpoint got {firstGot} of 10");
        Assert.Equal(1, proxy.Snapshot.Clusters["backend"].Health!.Ejections);
        Assert.False(proxy.Snapshot.Clusters["backend"].Health!.Panic);
    }

    [Fact]
    public async Task Outlier_EveryEndpointOut_PanicModeRoutesAnyway()
    {
        int status = 500;
        await using FakeHttpUpstream only = HealthConfigs.Answering(() => Volatile.Read(ref status));
        await using HealthProxy proxy = await HealthProxy.StartAsync(HealthConfigs.Web(
            """outlier_detection = { consecutive_5xx = 1, base_ejection_time = "1m", max_ejection_percent = 100 }""",
            only.EndPoint));
        using HttpClient client = proxy.CreateClient();
        Assert.Equal(500, await GetStatusAsync(client));
        Assert.True(proxy.State("backend", only.EndPoint).EjectedUntilTicks > DateTime.UtcNow.Ticks);

        Volatile.Write(ref status, 200);
        Assert.Equal(200, await GetStatusAsync(client));

        Assert.Equal(2, only.Requests.Count);
        Assert.True(proxy.Snapshot.Clusters["backend"].Health!.Panic);
        Assert.Contains(proxy.Logs.Lines, l => l.Contains("panic mode", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Outlier_EjectedSubset_ItsShareGoesToTheOtherDestination()
    {
        await using FakeHttpUpstream v1 = HealthConfigs.Answering(() => 503);
        await using FakeHttpUpstream v2 = FakeHttpUpstream.Echo();
        string toml = $$"""
            [[listeners]]
            name = "web"
            address = "127.0.0.1:0"
            protocol = "http"
            routes = "web"

            [[routes]]
            name = "web"
            hosts = ["*"]
              [[routes.rules]]
              to = [{ cluster = "backend", subset = "v1", weight = 1 }, { cluster = "backend", subset = "v2", weight = 1 }]

            [[clusters]]
            name = "backend"
            endpoints = [{ address = "{{v1.EndPoint}}", labels = { version = "v1" } }, { address = "{{v2.EndPoint}}", labels = { version = "v2" } }]
            subsets = [{ name = "v1", labels = { version = "v1" } }, { name = "v2", labels = { version = "v2" } }]
            outlier_detection = { consecutive_5xx = 2, base_ejection_time = "1m", max_ejection_percent = 50 }
            """;
        await using HealthProxy proxy = await HealthProxy.StartAsync(toml);
        using HttpClient client = proxy.CreateClient();
        for (int i = 0; i < 4; i++)
        {
            await GetStatusAsync(client);
        }
        Assert.Equal(2, v1.Requests.Count);

        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(200, await GetStatusAsync(client));
        }
        Assert.Equal(2, v1.Requests.Count);
        Assert.False(proxy.Snapshot.Clusters["backend"].Health!.Panic);
    }

    [Fact]
    public async Task Outlier_Reload_KeepsEjectionOfEndpointsThatRemain()
    {
        await using FakeHttpUpstream bad = HealthConfigs.Answering(() => 500);
        await using FakeHttpUpstream good = FakeHttpUpstream.Echo();
        await using HealthProxy proxy = await HealthProxy.StartAsync(HealthConfigs.Web(
            """outlier_detection = { consecutive_5xx = 1, base_ejection_time = "1m", max_ejection_percent = 50 }""",
            bad.EndPoint, good.EndPoint));
        using HttpClient client = proxy.CreateClient();
        await GetStatusAsync(client);
        await GetStatusAsync(client);
        long until = proxy.State("backend", bad.EndPoint).EjectedUntilTicks;
        Assert.True(until > DateTime.UtcNow.Ticks);

        await proxy.ReloadAsync(HealthConfigs.Web(
            """outlier_detection = { consecutive_5xx = 9, base_ejection_time = "1m", max_ejection_percent = 50 }""",
            bad.EndPoint, good.EndPoint));

        Assert.Equal(9, proxy.Snapshot.Clusters["backend"].OutlierDetector!.Settings.Consecutive5xx);
        Assert.Equal(until, proxy.State("backend", bad.EndPoint).EjectedUntilTicks);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(200, await GetStatusAsync(client));
        }
        Assert.Single(bad.Requests);
    }
    [Fact]
    public async Task Outlier_TcpConnectFailures_EjectTheEndpointForLaterSessions()
    {
        using Socket refusing = Loopback.BindRefusing();
        await using FakeUpstream echo = FakeUpstream.Echo();
        string toml = $$"""
            [[listeners]]
            name = "db"
            address = "127.0.0.1:0"
            protocol = "tcp"
            cluster = "db"

            [[clusters]]
            name = "db"
            endpoints = [{ address = "{{refusing.LocalEndPoint}}" }, { address = "{{echo.EndPoint}}" }]
            outlier_detection = { consecutive_5xx = 1, base_ejection_time = "1m", max_ejection_percent = 50 }
            """;
        await using HealthProxy proxy = await HealthProxy.StartAsync(toml);

        for (int i = 0; i < 6; i++)
        {
            using Socket client = await Loopback.ConnectAsync(proxy.Listeners.EndPoint("db"));
            await Loopback.SendAllAsync(client, "ping"u8.ToArray());
            Assert.Equal("ping"u8.ToArray(), await Loopback.ReadExactlyAsync(client, 4));
        }

        EndpointState state = proxy.State("db", refusing.LocalEndPoint!);
        Assert.Equal(1, state.TimesEjected);
        Assert.True(state.EjectedUntilTicks > DateTime.UtcNow.Ticks);
        Assert.Equal(6, echo.Accepted);
    }
}
