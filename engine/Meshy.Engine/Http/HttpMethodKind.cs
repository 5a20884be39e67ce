namespace Meshy.Engine.Http;

/// <summary>
/// The request methods of RFC 9110 §9 plus PATCH (RFC 5789), protocol-neutral. Methods are
/// case-sensitive tokens, so <c>get</c> is <see cref="Custom"/>; the exact bytes are in
/// <see cref="HttpRequestHead.MethodBytes"/>. The values match the HTTP/1 codec's method enum so a
/// codec converts with a cast.
/// </summary>
public enum HttpMethodKind : byte
{
    /// <summary>Any other token; read <see cref="HttpRequestHead.MethodBytes"/>.</summary>
    Custom = 0,
    Get,
    Head,
    Post,
    Put,
    Delete,
    Connect,
    Options,
    Trace,
    Patch,
}
