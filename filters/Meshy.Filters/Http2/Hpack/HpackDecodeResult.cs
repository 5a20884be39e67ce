namespace Meshy.Filters.Http2.Hpack;

/// <summary>How a field block decoded (malformed blocks throw instead).</summary>
internal enum HpackDecodeResult : byte
{
    /// <summary>Every field was handed to the sink.</summary>
    Complete,

    /// <summary>
    /// The decoded field section exceeded <see cref="HpackDecoder.MaxHeaderListSize"/>: the fields up to
    /// the limit were handed to the sink, the rest were decoded (the dynamic table stays in sync with
    /// the peer's encoder) but dropped. The connection answers 431 or resets the stream; the
    /// connection itself is fine.
    /// </summary>
    HeaderListTooLarge,
}
