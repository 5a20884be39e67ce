namespace Meshy.Filters.Http1;

/// <summary>
/// Size limits of the HTTP/1 codec. Each is enforced as soon as the buffered bytes prove it is
/// exceeded, before the line or section that breaks it is complete, so a peer cannot make the proxy
/// buffer more than the limit.
/// </summary>
internal sealed record Http1Limits
{
    /// <summary>The defaults below.</summary>
    public static Http1Limits Default { get; } = new();

    /// <summary>
    /// Longest start line in bytes, CRLF excluded (and any empty lines before a request-line
    /// included): request-line (414 URI Too Long) and status-line. Default 8 KiB.
    /// </summary>
    public int MaxRequestLineLength { get; init; } = 8 * 1024;

    /// <summary>
    /// Most bytes of field lines, each with its CRLF, not counting the start line and the final empty
    /// line (431). Also bounds a trailer section. Default 60 KiB.
    /// </summary>
    public int MaxHeaderSectionLength { get; init; } = 60 * 1024;

    /// <summary>Most field lines in one header (or trailer) section (431). Default 100.</summary>
    public int MaxHeaderCount { get; init; } = 100;

    /// <summary>Longest chunk-size line, extensions included, CRLF excluded. Default 4 KiB.</summary>
    public int MaxChunkLineLength { get; init; } = 4 * 1024;
}
