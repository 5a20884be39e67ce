using System.Collections.Immutable;
using Meshy.Conf.Loading;
using Meshy.Conf.Schema;
using Meshy.Engine.Runtime;

namespace Meshy.Conf.Validation;

internal static partial class ConfigBinder
{
    private static readonly (string, ListenerProtocol)[] ListenerProtocols =
    [
        ("http", ListenerProtocol.Http),
        ("tcp", ListenerProtocol.Tcp),
        ("auto", ListenerProtocol.Auto),
    ];

    private static ListenerConfig BindListener(TableReader listener)
    {
        string name = listener.Name("name", required: true) ?? "";
        ConfigAddress address = listener.Address("address", AddressUse.Bind, required: true) ?? ConfigAddress.Unset;
        ListenerProtocol? parsed = listener.Enum("protocol", ListenerProtocols);
        ListenerProtocol protocol = parsed ?? ListenerProtocol.Http;
        ImmutableArray<string> routes = NameList(listener, "routes",
            (TomlNode node, string path, out string? value) => Values.Name(listener.Context, node, path, out value),
            "a route table name or an array of them", allowSingle: true);
        string? cluster = listener.Name("cluster");
        bool originalDestination = listener.Boolean("original_destination") ?? false;
        if (parsed is not null || listener.Node("protocol") is null)
        {
            // With an invalid protocol (already reported) which keys belong is unknown: check nothing more.
            CheckListenerShape(listener, protocol, originalDestination);
        }

        var config = new ListenerConfig
        {
            Name = name,
            Address = address,
            Protocol = protocol,
            Routes = routes,
            Cluster = cluster,
            OriginalDestination = originalDestination,
            MaxRequestLine = listener.Integer("max_request_line", 256, 1024 * 1024) ?? ListenerConfig.DefaultMaxRequestLine,
            MaxHeaderBytes = listener.Integer("max_header_bytes", 1024, 8 * 1024 * 1024) ?? ListenerConfig.DefaultMaxHeaderBytes,
            MaxHeaderCount = listener.Integer("max_header_count", 1, 10_000) ?? ListenerConfig.DefaultMaxHeaderCount,
            RequestHeaderTimeout = listener.Duration("request_header_timeout", positive: true, OneHour) ?? ListenerConfig.DefaultRequestHeaderTimeout,
            IdleTimeout = listener.Duration("idle_timeout", positive: false, OneDay) ?? ListenerConfig.DefaultIdleTimeout,
            ProtocolDetectionTimeout = listener.Duration("protocol_detection_timeout", positive: false, TimeSpan.FromMinutes(1))
                ?? ListenerConfig.DefaultProtocolDetectionTimeout,
            Http2 = BindHttp2(listener.SubTable("http2")),
        };
        return config;
    }

    /// <summary>
    /// Which of routes / cluster / original_destination each protocol takes:
    /// <code>
    ///          routes     cluster                        original_destination
    /// http     required   not allowed                    optional (unmatched Host goes there)
    /// tcp      none       required unless orig. dest.    optional, excludes cluster
    /// auto     required   required unless orig. dest.    optional, excludes cluster
    /// </code>
    /// </summary>
    private static void CheckListenerShape(TableReader listener, ListenerProtocol protocol, bool originalDestination)
    {
        bool hasRoutes = listener.Node("routes") is { } routes && routes is not TomlArrayNode { Items.Count: 0 };
        bool hasCluster = listener.Node("cluster") is not null;
        if (protocol != ListenerProtocol.Auto && listener.Node("protocol_detection_timeout") is not null)
        {
            listener.ErrorAtKey("protocol_detection_timeout", "only an auto listener detects protocols (set protocol = \"auto\")");
        }
        switch (protocol)
        {
            case ListenerProtocol.Http:
                if (hasCluster)
                {
                    listener.ErrorAtKey("cluster", "an http listener takes no cluster: HTTP goes through its routes (use protocol = \"tcp\" to forward bytes)");
                }
                if (!hasRoutes)
                {
                    listener.Missing("routes", "an http listener serves the route tables it names");
                }
                break;
            case ListenerProtocol.Tcp:
                if (listener.Node("routes") is not null)
                {
                    listener.ErrorAtKey("routes", "a tcp listener takes no routes: it forwards bytes to its cluster (use protocol = \"http\" or \"auto\" for routes)");
                }
                CheckForwardTarget(listener, "a tcp listener", hasCluster, originalDestination);
                break;
            case ListenerProtocol.Auto:
                if (!hasRoutes)
                {
                    listener.Missing("routes", "an auto listener serves HTTP through the route tables it names");
                }
                CheckForwardTarget(listener, "an auto listener", hasCluster, originalDestination);
                break;
        }
    }

    private static void CheckForwardTarget(TableReader listener, string what, bool hasCluster, bool originalDestination)
    {
        if (!hasCluster && !originalDestination)
        {
            listener.Missing("cluster", $"{what} forwards non-HTTP bytes to a cluster, or set original_destination = true");
        }
        else if (hasCluster && originalDestination)
        {
            listener.ErrorAtKey("cluster", $"cannot be combined with original_destination = true: {what} forwards to one of them");
        }
    }

    private static Http2Config BindHttp2(TableReader? http2)
    {
        if (http2 is null)
        {
            return Http2Config.Default;
        }
        Http2Config config = new()
        {
            MaxConcurrentStreams = http2.Integer("max_concurrent_streams", 1, int.MaxValue) ?? Http2Config.Default.MaxConcurrentStreams,
            InitialStreamWindow = http2.Integer("initial_stream_window", Http2Config.ProtocolInitialWindow, Http2Config.MaxWindow)
                ?? Http2Config.Default.InitialStreamWindow,
            ConnectionWindow = http2.Integer("connection_window", Http2Config.ProtocolInitialWindow, Http2Config.MaxWindow)
                ?? Http2Config.Default.ConnectionWindow,
        };
        http2.Finish();
        return config;
    }
}
