using Meshy.Conf.Schema;
using Meshy.Engine.Runtime;
using Meshy.Engine.Upstream;
using static Meshy.Conf.Tests.TomlFixture;

namespace Meshy.Conf.Tests.Validation;

public sealed class BindingTests
{
    [Fact]
    public void Load_ListenerWithoutOptionalKeys_GetsDocumentedDefaults()
    {
        const string Toml = """
            [[listeners]]
            name = "web"
            address = "127.0.0.1:0"
            routes = "web"
            [[routes]]
            name = "web"
              [[routes.rules]]
              to = [{ cluster = "web" }]
            """ + Cluster;

        ListenerConfig listener = Load(Toml).Listeners.Single();

        Assert.Equal(ListenerProtocol.Http, listener.Protocol);
        Assert.Equal<string>(["web"], listener.Routes);
        Assert.Null(listener.Cluster);
        Assert.False(listener.OriginalDestination);
        Assert.Equal(8192, listener.MaxRequestLine);
        Assert.Equal(61440, listener.MaxHeaderBytes);
        Assert.Equal(100, listener.MaxHeaderCount);
        Assert.Equal(TimeSpan.FromSeconds(10), listener.RequestHeaderTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), listener.IdleTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(100), listener.ProtocolDetectionTimeout);
        Assert.Equal(100, listener.Http2.MaxConcurrentStreams);
        Assert.Equal(65535, listener.Http2.InitialStreamWindow);
        Assert.Equal(1048576, listener.Http2.ConnectionWindow);
    }

    [Fact]
    public void Load_ListenerWithEveryKey_BindsEachValue()
    {
        const string Toml = """
            [[listeners]]
            name = "outbound"
            address = "[::1]:15001"
            protocol = "auto"
            routes = ["a", "b"]
            original_destination = true
            max_request_line = 4096
            max_header_bytes = 32768
            max_header_count = 50
            request_header_timeout = "2.5s"
            idle_timeout = "0s"
            protocol_detection_timeout = "250ms"
            http2 = { max_concurrent_streams = 10, initial_stream_window = 1048576, connection_window = 8388608 }
            [[routes]]
            name = "a"
            hosts = ["a"]
              [[routes.rules]]
              to = [{ cluster = "web" }]
            [[routes]]
            name = "b"
            hosts = ["b"]
              [[routes.rules]]
              to = [{ cluster = "web" }]
            """ + Cluster;

        ListenerConfig listener = Load(Toml).Listeners.Single();

        Assert.Equal(ListenerProtocol.Auto, listener.Protocol);
        Assert.Equal("::1", listener.Address.Host);
        Assert.Equal(15001, listener.Address.Port);
        Assert.Equal<string>(["a", "b"], listener.Routes);
        Assert.True(listener.OriginalDestination);
        Assert.Equal(4096, listener.MaxRequestLine);
        Assert.Equal(32768, listener.MaxHeaderBytes);
        Assert.Equal(50, listener.MaxHeaderCount);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), listener.RequestHeaderTimeout);
        Assert.Equal(TimeSpan.Zero, listener.IdleTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), listener.ProtocolDetectionTimeout);
        Assert.Equal(new Http2Config { MaxConcurrentStreams = 10, InitialStreamWindow = 1048576, ConnectionWindow = 8388608 }, listener.Http2);
    }

    [Fact]
    public void Load_MatchArray_BindsEveryAlternativeWithItsConditions()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              name = "steer"
              match = [
                { path.exact = "/a", method = ["GET", "HEAD"] },
                { headers.x-user.prefix = "test-", headers.x-debug.present = true, headers.x-skip.present = false },
                { query.v.regex = '[0-9]+', query.beta.exact = "1", query.q.present = true, source = ["10.0.0.0/8", "fd00::/8"] },
              ]
              to = [{ cluster = "web" }]
            """ + Cluster;

        RouteRuleConfig rule = Load(Toml).Routes[0].Rules[0];

        Assert.Equal("steer", rule.Name);
        Assert.Equal(3, rule.Match.Length);
        Assert.Equal(new PathMatchConfig { Kind = StringMatchKind.Exact, Value = "/a" }, rule.Match[0].Path);
        Assert.Equal<string>(["GET", "HEAD"], rule.Match[0].Methods);
        Assert.Equal<HeaderMatchConfig>(
            [
                new HeaderMatchConfig { Name = "x-user", Kind = StringMatchKind.Prefix, Value = "test-" },
                new HeaderMatchConfig { Name = "x-debug", Kind = StringMatchKind.Present },
                new HeaderMatchConfig { Name = "x-skip", Kind = StringMatchKind.Absent },
            ],
            rule.Match[1].Headers);
        Assert.Null(rule.Match[1].Path);
        Assert.Equal<QueryMatchConfig>(
            [
                new QueryMatchConfig { Name = "v", Kind = StringMatchKind.Regex, Value = "[0-9]+" },
                new QueryMatchConfig { Name = "beta", Kind = StringMatchKind.Exact, Value = "1" },
                new QueryMatchConfig { Name = "q", Kind = StringMatchKind.Present },
            ],
            rule.Match[2].Query);
        Assert.Equal<string>(["10.0.0.0/8", "fd00::/8"], rule.Match[2].Sources.Select(s => s.Text));
    }

    [Fact]
    public void Load_RuleWithoutMatch_MatchesEverything()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              to = [{ cluster = "web" }]
            """ + Cluster;

        RouteTableConfig table = Load(Toml).Routes[0];

        Assert.Empty(table.Rules[0].Match);
        Assert.Equal<string>(["*"], table.Hosts);
        Assert.Null(table.Rules[0].Name);
    }

    [Fact]
    public void Load_ProxyRuleWithEveryPolicy_BindsEachValue()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              timeout = "15s"
              retries = { attempts = 3, per_try_timeout = "250ms", on = ["reset", "gateway-error", "409", "503"], non_idempotent = true }
              fault.delay = { percent = 0.1, fixed = "1m" }
              fault.abort = { percent = 2, status = 503, grpc_status = 14 }
              mirror = { cluster = "web", subset = "v1" }
              headers.request = { set = { x-a = "1" }, add = { x-b = "2" }, remove = ["x-c"] }
              headers.response.set = { x-d = "4" }
              rewrite = { prefix = "/v2/", host = "web.internal:8080" }
              to = [{ cluster = "web", subset = "v1", weight = 3 }, { cluster = "web" }]
            """ + Cluster;

        RouteRuleConfig rule = Load(Toml).Routes[0].Rules[0];

        Assert.Equal(TimeSpan.FromSeconds(15), rule.Timeout);
        Assert.Equal(3, rule.Retries!.Attempts);
        Assert.Equal(TimeSpan.FromMilliseconds(250), rule.Retries.PerTryTimeout);
        Assert.Equal(RetryOn.Reset | RetryOn.GatewayError, rule.Retries.On);
        Assert.Equal<int>([409, 503], rule.Retries.StatusCodes);
        Assert.True(rule.Retries.NonIdempotent);
        Assert.Equal(new FaultDelayConfig { Percent = 0.1, Fixed = TimeSpan.FromMinutes(1) }, rule.Fault!.Delay);
        Assert.Equal(new FaultAbortConfig { Percent = 2, Status = 503, GrpcStatus = 14 }, rule.Fault.Abort);
        Assert.Equal(new MirrorConfig { Cluster = "web", Subset = "v1", Percent = 100 }, rule.Mirror);
        Assert.Equal<KeyValuePair<string, string>>([KeyValuePair.Create("x-a", "1")], rule.Headers.Request.Set);
        Assert.Equal<KeyValuePair<string, string>>([KeyValuePair.Create("x-b", "2")], rule.Headers.Request.Add);
        Assert.Equal<string>(["x-c"], rule.Headers.Request.Remove);
        Assert.Equal<KeyValuePair<string, string>>([KeyValuePair.Create("x-d", "4")], rule.Headers.Response.Set);
        Assert.Equal(new RewriteConfig { Prefix = "/v2/", Host = "web.internal:8080" }, rule.Rewrite);
        Assert.Equal<DestinationConfig>(
            [
                new DestinationConfig { Cluster = "web", Subset = "v1", Weight = 3 },
                new DestinationConfig { Cluster = "web", Subset = null, Weight = 1 },
            ],
            rule.To);
    }

    [Fact]
    public void Load_RetriesWithoutOn_UsesDefaultConditions()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              retries = {}
              to = [{ cluster = "web" }]
            """ + Cluster;

        RetriesConfig retries = Load(Toml).Routes[0].Rules[0].Retries!;

        Assert.Equal(2, retries.Attempts);
        Assert.Null(retries.PerTryTimeout);
        Assert.Equal(RetryOn.ConnectFailure | RetryOn.RefusedStream, retries.On);
        Assert.Equal<int>([503], retries.StatusCodes);
        Assert.False(retries.NonIdempotent);
    }

    [Fact]
    public void Load_RedirectAndRespondRules_BindWithDefaults()
    {
        const string Toml = """
            [[routes]]
            name = "r"
              [[routes.rules]]
              redirect = { scheme = "https", port = 8443 }
              [[routes.rules]]
              respond = { status = 418, body = "teapot", headers = { content-type = "text/html" } }
              [[routes.rules]]
              respond = { status = 204 }
            """;

        RouteTableConfig table = Load(Toml).Routes[0];

        Assert.Equal(new RedirectConfig { Scheme = "https", Port = 8443, Status = 301 }, table.Rules[0].Redirect);
        Assert.Empty(table.Rules[0].To);
        Assert.Equal(418, table.Rules[1].Respond!.Status);
        Assert.Equal("teapot", table.Rules[1].Respond!.Body);
        Assert.Equal<KeyValuePair<string, string>>([KeyValuePair.Create("content-type", "text/html")], table.Rules[1].Respond!.Headers);
        Assert.Null(table.Rules[2].Respond!.Body);
    }

    [Fact]
    public void Load_ClusterWithoutOptionalKeys_GetsDocumentedDefaults()
    {
        ClusterConfig cluster = Load(Cluster).Clusters.Single();

        Assert.Equal(LoadBalancerPolicy.RoundRobin, cluster.Lb);
        Assert.Null(cluster.HashOn);
        Assert.Equal(UpstreamProtocol.Http1, cluster.Protocol);
        Assert.Equal(TimeSpan.FromSeconds(1), cluster.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMinutes(5), cluster.ReadTimeout);
        Assert.Equal(new LimitsConfig { MaxConnections = 1024, MaxPendingRequests = 1024, MaxRequests = 1024, MaxRetries = 3 }, cluster.Limits);
        Assert.Null(cluster.OutlierDetection);
        Assert.Null(cluster.HealthCheck);
        Assert.Equal(TimeSpan.FromSeconds(60), cluster.IdleTimeout);
        Assert.Equal(1024, cluster.MaxIdlePerEndpoint);
        Assert.Equal(1, cluster.Endpoints[0].Weight);
    }

    [Fact]
    public void Load_ClusterWithEveryKey_BindsEachValue()
    {
        const string Toml = """
            [[clusters]]
            name = "ratings"
            lb = "ring_hash"
            hash_on = "cookie:session"
            protocol = "http2"
            connect_timeout = "250ms"
            read_timeout = "0s"
            idle_timeout = "5m"
            max_idle_per_endpoint = 0
            endpoints = [
              { address = "ratings-1.internal:9080", labels = { version = "v1", zone = "a" }, weight = 5 },
              { address = "[fd00::2]:9080", labels = { version = "v2" } },
            ]
            subsets = [{ name = "v1", labels = { version = "v1" } }]
            limits = { max_connections = 10, max_pending_requests = 0, max_requests = 20, max_retries = 0 }
            outlier_detection = { consecutive_5xx = 3 }
            health_check = { path = "/healthz" }
            """;

        ClusterConfig cluster = Load(Toml).Clusters.Single();

        Assert.Equal(LoadBalancerPolicy.RingHash, cluster.Lb);
        Assert.Equal(new HashOnConfig { Kind = HashOnKind.Cookie, Name = "session" }, cluster.HashOn);
        Assert.Equal(UpstreamProtocol.Http2, cluster.Protocol);
        Assert.Equal(TimeSpan.FromMilliseconds(250), cluster.ConnectTimeout);
        Assert.Equal(TimeSpan.Zero, cluster.ReadTimeout);                  // no limit
        Assert.Equal(TimeSpan.FromMinutes(5), cluster.IdleTimeout);
        Assert.Equal(0, cluster.MaxIdlePerEndpoint);
        Assert.Equal("ratings-1.internal", cluster.Endpoints[0].Address.Host);
        Assert.False(cluster.Endpoints[0].Address.IsIPAddress);
        Assert.Equal(5, cluster.Endpoints[0].Weight);
        Assert.Equal("a", cluster.Endpoints[0].Labels["zone"]);
        Assert.True(cluster.Endpoints[1].Address.IsIPAddress);
        Assert.True(cluster.Subsets[0].Selects(cluster.Endpoints[0].Labels));
        Assert.False(cluster.Subsets[0].Selects(cluster.Endpoints[1].Labels));
        Assert.Equal(new LimitsConfig { MaxConnections = 10, MaxPendingRequests = 0, MaxRequests = 20, MaxRetries = 0 }, cluster.Limits);
        Assert.Equal(OutlierDetectionConfig.Default with { Consecutive5xx = 3 }, cluster.OutlierDetection);
        Assert.Equal(new HealthCheckConfig { Path = "/healthz", Interval = TimeSpan.FromSeconds(5), Timeout = TimeSpan.FromSeconds(1), UnhealthyThreshold = 3, HealthyThreshold = 2 }, cluster.HealthCheck);
    }

    [Fact]
    public void Load_AccessLogTable_IsEnabledByItsPresence()
    {
        const string Toml = """
            [access_log]
            path = "/var/log/meshy/access.log"
            """;

        AccessLogConfig log = Load(Toml).AccessLog;

        Assert.True(log.Enabled);
        Assert.Equal("/var/log/meshy/access.log", log.Path);
        Assert.Equal<string>(AccessLogConfig.DefaultFields, log.Fields);
    }

    [Fact]
    public void Load_AdminAndRuntime_BindEachValue()
    {
        const string Toml = """
            [admin]
            address = "localhost:9901"
            [runtime]
            drain_timeout = "1.5s"
            max_connections = 5
            """;

        var config = Load(Toml);

        Assert.Equal(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 9901), config.Admin.Address.ToEndPoint());
        Assert.Equal(TimeSpan.FromMilliseconds(1500), config.Runtime.DrainTimeout);
        Assert.Equal(5, config.Runtime.MaxConnections);
    }
}
