using System.Text;

namespace Meshy.Bench.Micro;

/// <summary>The header sets of the HTTP/2 codec benchmarks: what a browser sends and a web server answers.</summary>
internal static class Http2BenchmarkHeaders
{
    /// <summary>A browser GET as HTTP/2 fields (13 fields, pseudo-fields first).</summary>
    public static readonly (byte[] Name, byte[] Value)[] Request = Fields(
        (":method", "GET"),
        (":scheme", "https"),
        (":authority", "www.example.com"),
        (":path", "/search?q=meshy+proxy&lang=en"),
        ("user-agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"),
        ("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"),
        ("accept-language", "en-US,en;q=0.5"),
        ("accept-encoding", "gzip, deflate, br, zstd"),
        ("cookie", "session=3f2a9c81d7e64b0a; theme=dark; consent=yes"),
        ("upgrade-insecure-requests", "1"),
        ("sec-fetch-dest", "document"),
        ("sec-fetch-mode", "navigate"),
        ("cache-control", "max-age=0"));

    /// <summary>A typical 200 response (10 fields); content-length and x-request-id are never indexed by the encoder.</summary>
    public static readonly (byte[] Name, byte[] Value)[] Response = Fields(
        (":status", "200"),
        ("content-type", "text/html; charset=utf-8"),
        ("content-length", "5123"),
        ("date", "Thu, 26 Nov 2026 04:00:00 GMT"),
        ("server", "meshy-upstream"),
        ("cache-control", "private, max-age=0"),
        ("vary", "accept-encoding"),
        ("content-encoding", "gzip"),
        ("x-request-id", "3f2a9c81-d7e6-4b0a-9c81-d7e64b0a3f2a"),
        ("strict-transport-security", "max-age=31536000"));

    /// <summary>The set named by a benchmark's <c>Message</c> parameter.</summary>
    public static (byte[] Name, byte[] Value)[] Get(string message) => message == "request" ? Request : Response;

    private static (byte[] Name, byte[] Value)[] Fields(params (string Name, string Value)[] fields) =>
        fields.Select(field => (Encoding.ASCII.GetBytes(field.Name), Encoding.ASCII.GetBytes(field.Value))).ToArray();
}
