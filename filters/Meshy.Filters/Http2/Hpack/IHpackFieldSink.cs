namespace Meshy.Filters.Http2.Hpack;

/// <summary>
/// Receives the fields <see cref="HpackDecoder"/> decodes, in order. The spans are valid only during
/// the call (they point into the field block, the decoder's scratch buffer or its dynamic table):
/// copy what must be kept, e.g. into an <c>HttpHeaderList</c>.
/// </summary>
internal interface IHpackFieldSink
{
    /// <summary>
    /// One field. <paramref name="neverIndexed"/>: the sender marked it sensitive (§6.2.3); a proxy
    /// forwarding it must encode it never-indexed as well (§7.1.3).
    /// </summary>
    void OnField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed);
}
