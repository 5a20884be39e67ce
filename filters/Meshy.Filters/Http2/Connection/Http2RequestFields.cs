using Meshy.Engine.Http;
using Meshy.Filters.Http2.Hpack;

namespace Meshy.Filters.Http2.Connection;

/// <summary>
/// Receives a request's decoded field block (or its trailers) and checks it as RFC 9113 §8.2–§8.3 asks:
/// pseudo-header fields (<c>:method :scheme :authority :path</c>) into the request head, the others into
/// its header list. The first violation is kept in <see cref="Error"/> (the stream is then malformed:
/// RST_STREAM PROTOCOL_ERROR); decoding goes on regardless, since the HPACK state must stay in sync.
/// </summary>
internal struct Http2RequestFields(HttpRequestHead request, HttpHeaderList target, bool trailers) : IHpackFieldSink
{
    private bool _regularSeen;
    private bool _method;
    private bool _scheme;
    private bool _authority;
    private bool _path;

    /// <summary>Why the block is malformed; null when it is not.</summary>
    public string? Error { get; private set; }

    /// <summary>The <c>content-length</c> value, -1 when absent.</summary>
    public long ContentLength { get; private set; } = -1;

    /// <summary>True when <c>te: trailers</c> was sent.</summary>
    public bool AcceptsTrailers { get; private set; }

    /// <summary>How many <c>cookie</c> fields arrived (several are joined for HTTP/1.1, §8.2.3).</summary>
    public int CookieCount { get; private set; }

    /// <inheritdoc />
    public void OnField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed)
    {
        if (Error is not null)
        {
            return;
        }
        if (name.IsEmpty)
        {
            Error = "empty field name";
            return;
        }
        if (name[0] == (byte)':')
        {
            OnPseudoField(name, value);
            return;
        }
        _regularSeen = true;
        if (!IsValidName(name))
        {
            Error = "field name with uppercase or invalid characters";
            return;
        }
        if (!IsValidValue(value))
        {
            Error = "field value with invalid characters";
            return;
        }
        // §8.2.2: connection-specific fields make a message malformed.
        switch (name.Length)
        {
            case 2 when name.SequenceEqual("te"u8):
                if (!System.Text.Ascii.EqualsIgnoreCase(value, "trailers"u8))
                {
                    Error = "te other than trailers";
                    return;
                }
                AcceptsTrailers = true;
                return;
            case 7 when name.SequenceEqual("upgrade"u8):
            case 10 when name.SequenceEqual("connection"u8) || name.SequenceEqual("keep-alive"u8):
            case 16 when name.SequenceEqual("proxy-connection"u8):
            case 17 when name.SequenceEqual("transfer-encoding"u8):
                Error = "connection-specific field";
                return;
            case 14 when name.SequenceEqual("content-length"u8) && !trailers:
                OnContentLength(value);
                return;
            case 6 when name.SequenceEqual("cookie"u8):
                CookieCount++;
                break;
        }
        target.Add(name, value);
    }

    /// <summary>Checks what must be there once the block is complete (§8.3.1).</summary>
    public void Finish()
    {
        if (Error is not null || trailers)
        {
            return;
        }
        if (!_method)
        {
            Error = "missing :method";
        }
        else if (request.IsConnect)
        {
            if (!_authority || _scheme || _path)
            {
                Error = "CONNECT needs :authority and no :scheme or :path";
            }
        }
        else if (!_scheme || !_path)
        {
            Error = "missing :scheme or :path";
        }
    }

    private void OnPseudoField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (trailers)
        {
            Error = "pseudo-header field in trailers";
            return;
        }
        if (_regularSeen)
        {
            Error = "pseudo-header field after a regular field";
            return;
        }
        if (!IsValidValue(value))
        {
            Error = "pseudo-header value with invalid characters";
            return;
        }
        if (name.SequenceEqual(":method"u8))
        {
            if (_method || value.IsEmpty)
            {
                Error = "duplicate or empty :method";
                return;
            }
            _method = true;
            request.SetMethod(HttpMethods.Parse(value), value);
        }
        else if (name.SequenceEqual(":scheme"u8))
        {
            if (_scheme || value.IsEmpty)
            {
                Error = "duplicate or empty :scheme";
                return;
            }
            _scheme = true;
        }
        else if (name.SequenceEqual(":authority"u8))
        {
            if (_authority)
            {
                Error = "duplicate :authority";
                return;
            }
            _authority = true;
            request.SetAuthority(value);
        }
        else if (name.SequenceEqual(":path"u8))
        {
            if (_path || value.IsEmpty)
            {
                Error = "duplicate or empty :path";
                return;
            }
            _path = true;
            SetTarget(value);
        }
        else
        {
            Error = "unknown pseudo-header field";
        }
    }

    private readonly void SetTarget(ReadOnlySpan<byte> target)
    {
        int query = target.IndexOf((byte)'?');
        if (query < 0)
        {
            request.SetPath(target);
            return;
        }
        request.SetPath(target[..query]);
        request.SetQuery(target[(query + 1)..]);
    }

    private void OnContentLength(ReadOnlySpan<byte> value)
    {
        long length = 0;
        if (value.IsEmpty || value.Length > 18)
        {
            Error = "invalid content-length";
            return;
        }
        foreach (byte digit in value)
        {
            if (digit is < (byte)'0' or > (byte)'9')
            {
                Error = "invalid content-length";
                return;
            }
            length = (length * 10) + (digit - '0');
        }
        if (ContentLength >= 0 && ContentLength != length)
        {
            Error = "conflicting content-length";
            return;
        }
        ContentLength = length;
    }

    /// <summary>§8.2.1: lowercase token characters only.</summary>
    private static bool IsValidName(ReadOnlySpan<byte> name)
    {
        foreach (byte b in name)
        {
            if (b <= 0x20 || b >= 0x7f || b is >= (byte)'A' and <= (byte)'Z' || b == (byte)':')
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>§8.2.1: no NUL, CR or LF, no leading or trailing whitespace.</summary>
    private static bool IsValidValue(ReadOnlySpan<byte> value)
    {
        if (value.IndexOfAny((byte)0, (byte)'\r', (byte)'\n') >= 0)
        {
            return false;
        }
        return value.IsEmpty || (value[0] is not ((byte)' ' or (byte)'\t') && value[^1] is not ((byte)' ' or (byte)'\t'));
    }
}
