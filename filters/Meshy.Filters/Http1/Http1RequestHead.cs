using System.Text;
using Meshy.Engine.Http;

namespace Meshy.Filters.Http1;

/// <summary>
/// A parsed request head (RFC 9112 §3). Every span points into <see cref="Http1MessageHead.Headers"/>'
/// raw bytes and stays valid until the next parse or <see cref="Reset"/>.
/// </summary>
/// <remarks>
/// <code>
///   POST http://example.com:8080/a/b?x=1 HTTP/1.1\r\n
///   ^--^ ^-------------------------------^ ^------^
///   method          target                 version
///        ^--^   ^--------------^^--^ ^-^
///        Scheme TargetAuthority Path Query (without '?')
/// </code>
/// </remarks>
internal sealed class Http1RequestHead : Http1MessageHead
{
    private Range _method;
    private Range _target;
    private Range _scheme;
    private Range _authority;
    private Range _path;
    private Range _query;

    /// <summary>The method, or <see cref="HttpMethodKind.Custom"/> (then read <see cref="MethodBytes"/>).</summary>
    public HttpMethodKind Method { get; internal set; }

    /// <summary>The method token as received.</summary>
    public ReadOnlySpan<byte> MethodBytes => Headers.Raw[_method];

    /// <summary>The form of the request-target.</summary>
    public Http1TargetForm TargetForm { get; internal set; }

    /// <summary>The whole request-target as received.</summary>
    public ReadOnlySpan<byte> Target => Headers.Raw[_target];

    /// <summary>The scheme of an absolute-form target (<c>http</c>); empty otherwise.</summary>
    public ReadOnlySpan<byte> Scheme => Headers.Raw[_scheme];

    /// <summary>The authority of an absolute-form or authority-form target (<c>host:port</c>); empty otherwise.</summary>
    public ReadOnlySpan<byte> TargetAuthority => Headers.Raw[_authority];

    /// <summary>The path of an origin-form or absolute-form target (may be empty for absolute-form); empty otherwise.</summary>
    public ReadOnlySpan<byte> Path => Headers.Raw[_path];

    /// <summary>True when the target has a '?' (the query may still be empty).</summary>
    public bool HasQuery { get; internal set; }

    /// <summary>The query without its '?'; empty when there is none.</summary>
    public ReadOnlySpan<byte> Query => Headers.Raw[_query];

    /// <summary>The index of the Host field, or -1 (HTTP/1.0 only; HTTP/1.1 requires it).</summary>
    public int HostIndex { get; internal set; } = -1;

    /// <summary>
    /// The Host field value, or the target's authority when there is no Host field (an HTTP/1.0
    /// absolute-form request), or empty. The parser has checked that both agree when both exist.
    /// </summary>
    public ReadOnlySpan<byte> Host => HostIndex >= 0 ? Headers.GetValue(HostIndex) : TargetAuthority;

    /// <summary><c>Expect: 100-continue</c> (RFC 9110 §10.1.1).</summary>
    public bool ExpectsContinue { get; internal set; }

    /// <summary><c>TE: trailers</c>: the client accepts trailer fields (RFC 9110 §10.1.4).</summary>
    public bool AcceptsTrailers { get; internal set; }

    /// <summary>True for a request that asks to switch protocols on this connection (RFC 9110 §7.8).</summary>
    public bool IsUpgrade => (ConnectionOptions & Http1ConnectionOptions.Upgrade) != 0 && Headers.Contains(Http1KnownHeader.Upgrade);

    /// <summary>
    /// The request body length (RFC 9112 §6.3 rules 4–6): chunked, Content-Length, or no body. A
    /// request never reads until close; framing conflicts were refused while parsing.
    /// </summary>
    public Http1BodyFraming GetBodyFraming()
    {
        if (HasTransferEncoding)
        {
            return Http1BodyFraming.Chunked;                            // the parser refused non-chunked codings (rule 4)
        }
        return ContentLength >= 0 ? Http1BodyFraming.FromContentLength(ContentLength) : Http1BodyFraming.None;
    }

    /// <summary>The method as a string; no allocation for the known methods.</summary>
    public string GetMethodString() => Method switch
    {
        HttpMethodKind.Get => "GET",
        HttpMethodKind.Head => "HEAD",
        HttpMethodKind.Post => "POST",
        HttpMethodKind.Put => "PUT",
        HttpMethodKind.Delete => "DELETE",
        HttpMethodKind.Connect => "CONNECT",
        HttpMethodKind.Options => "OPTIONS",
        HttpMethodKind.Trace => "TRACE",
        HttpMethodKind.Patch => "PATCH",
        _ => Encoding.ASCII.GetString(MethodBytes),
    };

    /// <summary>The request-target as a string (allocates).</summary>
    public string GetTargetString() => Encoding.ASCII.GetString(Target);

    /// <summary>The path as a string (allocates).</summary>
    public string GetPathString() => Encoding.ASCII.GetString(Path);

    /// <summary>The query as a string, without '?' (allocates).</summary>
    public string GetQueryString() => Encoding.ASCII.GetString(Query);

    /// <summary>The <see cref="Host"/> as a string (allocates).</summary>
    public string GetHostString() => Encoding.Latin1.GetString(Host);

    /// <inheritdoc />
    public override void Reset()
    {
        base.Reset();
        Method = HttpMethodKind.Custom;
        TargetForm = Http1TargetForm.Origin;
        HasQuery = false;
        HostIndex = -1;
        ExpectsContinue = false;
        AcceptsTrailers = false;
        _method = default;
        _target = default;
        _scheme = default;
        _authority = default;
        _path = default;
        _query = default;
    }

    internal void SetMethod(HttpMethodKind method, int offset, int length)
    {
        Method = method;
        _method = new Range(offset, offset + length);
    }

    internal void SetTarget(int offset, int length) => _target = new Range(offset, offset + length);

    internal void SetScheme(int offset, int length) => _scheme = new Range(offset, offset + length);

    internal void SetTargetAuthority(int offset, int length) => _authority = new Range(offset, offset + length);

    internal void SetPath(int offset, int length) => _path = new Range(offset, offset + length);

    internal void SetQuery(int offset, int length)
    {
        HasQuery = true;
        _query = new Range(offset, offset + length);
    }
}
