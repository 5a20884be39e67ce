namespace Meshy.Engine.Http;

/// <summary>
/// A request head in protocol-neutral form: what HTTP/1.1's request-line and HTTP/2's pseudo-header
/// fields both carry (method, scheme, authority, path, query), the header fields with hop-by-hop
/// fields already removed by the codec, and the facts the proxy needs about the body. Bytes live in
/// <see cref="Headers"/>' arena; reused from one request to the next.
/// </summary>
public sealed class HttpRequestHead : IDisposable
{
    private (int Offset, int Length) _method;
    private (int Offset, int Length) _authority;
    private (int Offset, int Length) _path;
    private (int Offset, int Length) _query;
    private (int Offset, int Length) _upgrade;

    /// <summary>The method; <see cref="HttpMethodKind.Custom"/> for others (see <see cref="MethodBytes"/>).</summary>
    public HttpMethodKind Method { get; private set; }

    /// <summary>The method token as received.</summary>
    public ReadOnlySpan<byte> MethodBytes => Headers.Slice(_method.Offset, _method.Length);

    /// <summary>The scheme the client used towards the proxy: <c>http</c> (TLS is not terminated here).</summary>
    public ReadOnlySpan<byte> Scheme => "http"u8;

    /// <summary>Host / <c>:authority</c> as received, port included (for CONNECT: the tunnel target).</summary>
    public ReadOnlySpan<byte> Authority => Headers.Slice(_authority.Offset, _authority.Length);

    /// <summary>The path without the query (origin-form); empty for CONNECT and <c>*</c>.</summary>
    public ReadOnlySpan<byte> Path => Headers.Slice(_path.Offset, _path.Length);

    /// <summary>The query without its '?'; see <see cref="HasQuery"/>.</summary>
    public ReadOnlySpan<byte> Query => Headers.Slice(_query.Offset, _query.Length);

    /// <summary>True when the target had a '?' (the query may be empty).</summary>
    public bool HasQuery { get; set; }

    /// <summary>The header fields, hop-by-hop fields removed.</summary>
    public HttpHeaderList Headers { get; } = new();

    /// <summary>The protocol version as major*10+minor: 10, 11 or 20.</summary>
    public int Version { get; set; } = 11;

    /// <summary>
    /// The body length when known (Content-Length), -1 when the body is delimited otherwise
    /// (chunked, HTTP/2 DATA frames); 0 with <see cref="HasBody"/> false for no body.
    /// </summary>
    public long ContentLength { get; set; } = -1;

    /// <summary>True when a body follows the head (possibly empty when its length is 0).</summary>
    public bool HasBody { get; set; }

    /// <summary>True when the client sent <c>Expect: 100-continue</c> (RFC 9110 §10.1.1).</summary>
    public bool ExpectsContinue { get; set; }

    /// <summary>True when the client sent <c>TE: trailers</c>.</summary>
    public bool AcceptsTrailers { get; set; }

    /// <summary>The <c>Upgrade</c> value of a protocol-switch request (WebSocket), empty otherwise (RFC 9110 §7.8).</summary>
    public ReadOnlySpan<byte> Upgrade => Headers.Slice(_upgrade.Offset, _upgrade.Length);

    /// <summary>True for a request that asks to switch protocols (<c>Connection: upgrade</c> with <c>Upgrade</c>).</summary>
    public bool IsUpgrade => _upgrade.Length > 0;

    /// <summary>True for CONNECT: the connection becomes a tunnel after a 2xx.</summary>
    public bool IsConnect => Method == HttpMethodKind.Connect;

    /// <summary>Sets the method.</summary>
    public void SetMethod(HttpMethodKind method, ReadOnlySpan<byte> bytes)
    {
        Method = method;
        _method = Headers.Store(bytes);
    }

    /// <summary>Sets the authority (Host).</summary>
    public void SetAuthority(ReadOnlySpan<byte> authority) => _authority = Headers.Store(authority);

    /// <summary>Sets the path.</summary>
    public void SetPath(ReadOnlySpan<byte> path) => _path = Headers.Store(path);

    /// <summary>Sets the query (without '?'); marks <see cref="HasQuery"/>.</summary>
    public void SetQuery(ReadOnlySpan<byte> query)
    {
        HasQuery = true;
        _query = Headers.Store(query);
    }

    /// <summary>Marks the request as a protocol switch to <paramref name="protocol"/>.</summary>
    public void SetUpgrade(ReadOnlySpan<byte> protocol) => _upgrade = Headers.Store(protocol);

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
        _ => System.Text.Encoding.ASCII.GetString(MethodBytes),
    };

    /// <summary>Forgets the previous request; keeps the buffers.</summary>
    public void Reset()
    {
        Headers.Clear();
        Method = HttpMethodKind.Custom;
        _method = default;
        _authority = default;
        _path = default;
        _query = default;
        _upgrade = default;
        HasQuery = false;
        Version = 11;
        ContentLength = -1;
        HasBody = false;
        ExpectsContinue = false;
        AcceptsTrailers = false;
    }

    /// <summary>Returns the pooled arena.</summary>
    public void Dispose() => Headers.Dispose();
}
