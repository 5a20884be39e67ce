using System.Buffers.Text;
using System.Text;
using Meshy.Engine.Http;
using Meshy.Filters.Http2.Hpack;

namespace Meshy.Filters.Http2.Client;

/// <summary>
/// Collects a decoded response field block (RFC 9113 §8.3.2): <c>:status</c> and Content-Length into the head's
/// properties, the other fields into <see cref="Target"/>; connection-specific fields are dropped, any other
/// pseudo-header (or one after a regular field, or in trailers) makes the block malformed.
/// </summary>
internal struct Http2ResponseFieldSink(HttpHeaderList? target, bool trailers) : IHpackFieldSink
{
    /// <summary>Where regular fields go; null to decode and drop (a stream already gone, kept for HPACK's sake).</summary>
    public readonly HttpHeaderList? Target = target;

    /// <summary>The <c>:status</c>, 0 when absent.</summary>
    public int Status;

    /// <summary>The Content-Length, -1 when absent.</summary>
    public long ContentLength = -1;

    /// <summary>Why the block is malformed; null when it is not.</summary>
    public string? Malformed;

    private bool _regularSeen;

    /// <inheritdoc />
    public void OnField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed)
    {
        if (!name.IsEmpty && name[0] == (byte)':')
        {
            if (trailers || _regularSeen || Status != 0 || !name.SequenceEqual(":status"u8)
                || value.Length != 3 || !Utf8Parser.TryParse(value, out int status, out int consumed) || consumed != 3 || status < 100)
            {
                Malformed ??= "malformed or unexpected pseudo-header field in a response";
                return;
            }
            Status = status;
            return;
        }
        _regularSeen = true;
        if (name.Length == 14 && Ascii.EqualsIgnoreCase(name, "content-length"u8) && !trailers)
        {
            if (!Utf8Parser.TryParse(value, out long length, out int consumed) || consumed != value.Length || length < 0
                || (ContentLength >= 0 && ContentLength != length))
            {
                Malformed ??= "invalid content-length in a response";
                return;
            }
            ContentLength = length;
            return;
        }
        if (Http2RequestEncoder.IsConnectionSpecific(name, value))
        {
            return;
        }
        Target?.Add(name, value);
    }
}
