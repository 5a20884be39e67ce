namespace Meshy.Engine.Http;

/// <summary>Method names as both codecs read them off the wire.</summary>
public static class HttpMethods
{
    /// <summary>The well-known method <paramref name="method"/> names; methods are case-sensitive (RFC 9110 §9.1): <c>get</c> is a custom method.</summary>
    public static HttpMethodKind Parse(ReadOnlySpan<byte> method) => method.Length switch
    {
        3 when method.SequenceEqual("GET"u8) => HttpMethodKind.Get,
        3 when method.SequenceEqual("PUT"u8) => HttpMethodKind.Put,
        4 when method.SequenceEqual("POST"u8) => HttpMethodKind.Post,
        4 when method.SequenceEqual("HEAD"u8) => HttpMethodKind.Head,
        5 when method.SequenceEqual("PATCH"u8) => HttpMethodKind.Patch,
        5 when method.SequenceEqual("TRACE"u8) => HttpMethodKind.Trace,
        6 when method.SequenceEqual("DELETE"u8) => HttpMethodKind.Delete,
        7 when method.SequenceEqual("OPTIONS"u8) => HttpMethodKind.Options,
        7 when method.SequenceEqual("CONNECT"u8) => HttpMethodKind.Connect,
        _ => HttpMethodKind.Custom,
    };
}
