namespace Meshy.Filters.Http1;

/// <summary>
/// The request methods of RFC 9110 §9 plus PATCH (RFC 5789). Methods are case-sensitive tokens, so
/// <c>get</c> is <see cref="Custom"/>; the exact bytes of any method are in <see cref="Http1RequestHead.MethodBytes"/>.
/// </summary>
internal enum Http1Method : byte
{
    /// <summary>Any other token; read <see cref="Http1RequestHead.MethodBytes"/>.</summary>
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
