namespace Meshy.Cli.Demo;

/// <summary>What a demo backend needs of a request head, copied out of the parser's buffers.</summary>
/// <param name="Method">The method, e.g. <c>GET</c>.</param>
/// <param name="Path">The path without the query.</param>
/// <param name="Query">The query without <c>?</c>, or empty.</param>
/// <param name="Host">The Host header (a mirrored copy carries <c>-shadow</c>).</param>
/// <param name="KeepAlive">Whether the connection stays open after the answer.</param>
internal sealed record DemoRequest(string Method, string Path, string Query, string Host, bool KeepAlive)
{
    /// <summary>The value of query parameter <paramref name="name"/>, or null (no percent-decoding: the demo's values are digits).</summary>
    public string? QueryValue(string name)
    {
        foreach (string pair in Query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && pair.AsSpan(0, equals).SequenceEqual(name))
            {
                return pair[(equals + 1)..];
            }
        }
        return null;
    }
}
