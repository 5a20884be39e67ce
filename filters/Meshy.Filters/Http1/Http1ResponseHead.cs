using System.Text;
using Meshy.Engine.Http;

namespace Meshy.Filters.Http1;

/// <summary>
/// A parsed response head (RFC 9112 §4). Spans point into <see cref="Http1MessageHead.Headers"/>'
/// raw bytes and stay valid until the next parse or <see cref="Reset"/>.
/// </summary>
/// <remarks>
/// <code>
///   HTTP/1.1 404 Not Found\r\n
///   ^------^ ^-^ ^-------^
///   version  code  Reason (may be empty; SP before it optional on receipt)
/// </code>
/// </remarks>
internal sealed class Http1ResponseHead : Http1MessageHead
{
    private Range _reason;

    /// <summary>The status code, 100–599.</summary>
    public int StatusCode { get; internal set; }

    /// <summary>The reason phrase; a client ignores it (RFC 9112 §4), a proxy may pass it on.</summary>
    public ReadOnlySpan<byte> Reason => Headers.Raw[_reason];

    /// <summary>True for 1xx: an interim response, the final one is still to come (RFC 9110 §15.2).</summary>
    public bool IsInformational => StatusCode is >= 100 and < 200;

    /// <summary>
    /// The response body length per RFC 9112 §6.3, given the method of the request it answers:
    /// <list type="number">
    /// <item>HEAD, 1xx, 204 and 304 have no body;</item>
    /// <item>a 2xx to CONNECT turns the connection into a tunnel;</item>
    /// <item>Transfer-Encoding: chunked if that is the final coding, else read until close;</item>
    /// <item>Content-Length (both present was refused while parsing);</item>
    /// <item>otherwise read until close.</item>
    /// </list>
    /// </summary>
    public Http1BodyFraming GetBodyFraming(HttpMethodKind requestMethod)
    {
        // 1. rule 1
        if (requestMethod == HttpMethodKind.Head || IsInformational || StatusCode is 204 or 304)
        {
            return Http1BodyFraming.None;
        }
        // 2. rule 2
        if (requestMethod == HttpMethodKind.Connect && StatusCode is >= 200 and < 300)
        {
            return Http1BodyFraming.Tunnel;
        }
        // 3. rule 4
        if (HasTransferEncoding)
        {
            return IsChunked ? Http1BodyFraming.Chunked : Http1BodyFraming.UntilClose;
        }
        // 4. rule 5, then 5. rule 8
        return ContentLength >= 0 ? Http1BodyFraming.FromContentLength(ContentLength) : Http1BodyFraming.UntilClose;
    }

    /// <summary>The reason phrase as a string, obs-text read as Latin-1 (allocates).</summary>
    public string GetReasonString() => Encoding.Latin1.GetString(Reason);

    /// <inheritdoc />
    public override void Reset()
    {
        base.Reset();
        StatusCode = 0;
        _reason = default;
    }

    internal void SetReason(int offset, int length) => _reason = new Range(offset, offset + length);
}
