using System.Net;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Http2Proxy;

/// <summary>HttpClient speaking HTTP/2 with prior knowledge (h2c) to a proxy listener.</summary>
internal static class Http2Clients
{
    public static HttpClient Create(HttpProxyHarness proxy, string name = "web") =>
        new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, EnableMultipleHttp2Connections = false })
        {
            BaseAddress = proxy.BaseUri(name),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(60),
        };

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
