namespace Meshy.Filters.Router;

/// <summary>The bodies of the proxy's own answers: short, plain text, allocated once per process.</summary>
internal static class HttpLocalReplies
{
    public static readonly byte[] NoRoute = "no route matched the request\n"u8.ToArray();
    public static readonly byte[] NoHealthyUpstream = "no healthy upstream\n"u8.ToArray();
    public static readonly byte[] ConnectFailure = "upstream connect error\n"u8.ToArray();
    public static readonly byte[] Overflow = "upstream overflow: too many requests waiting for a connection\n"u8.ToArray();
    public static readonly byte[] RequestOverflow = "upstream overflow: too many requests in flight to the cluster\n"u8.ToArray();
    public static readonly byte[] FaultAbort = "fault filter abort\n"u8.ToArray();
    public static readonly byte[] ConnectionTermination = "upstream closed the connection before response headers\n"u8.ToArray();
    public static readonly byte[] RemoteReset = "upstream reset the connection before response headers\n"u8.ToArray();
    public static readonly byte[] MalformedResponse = "upstream sent a malformed response\n"u8.ToArray();
    public static readonly byte[] Timeout = "upstream request timeout\n"u8.ToArray();
    public static readonly byte[] RequestHeaderTimeout = "request header timeout\n"u8.ToArray();
    public static readonly byte[] TunnelOverHttp2 = "CONNECT is not carried to HTTP/2 upstreams\n"u8.ToArray();
    public static readonly byte[] MalformedRequestBody = "malformed request body\n"u8.ToArray();
}
