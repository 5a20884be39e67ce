namespace Meshy.Engine.Http;

/// <summary>
/// A response head in protocol-neutral form: the status, the header fields with hop-by-hop fields
/// removed, and what the proxy knows about the body's length. Reused from one response to the next.
/// </summary>
public sealed class HttpResponseHead : IDisposable
{
    private (int Offset, int Length) _upgrade;

    /// <summary>The status code, 100–599; 0 before a response was received or chosen.</summary>
    public int StatusCode { get; set; }

    /// <summary>The header fields, hop-by-hop fields removed.</summary>
    public HttpHeaderList Headers { get; } = new();

    /// <summary>The body length when known (Content-Length), -1 otherwise.</summary>
    public long ContentLength { get; set; } = -1;

    /// <summary>True when a body follows (false for HEAD, 1xx, 204 and 304 answers).</summary>
    public bool HasBody { get; set; }

    /// <summary>
    /// True when the upstream announced it closes the connection after this response; the proxy
    /// does not reuse that upstream connection (the downstream one is unaffected).
    /// </summary>
    public bool UpstreamCloses { get; set; }

    /// <summary>The <c>Upgrade</c> value of a 101 answer, empty otherwise.</summary>
    public ReadOnlySpan<byte> Upgrade => Headers.Slice(_upgrade.Offset, _upgrade.Length);

    /// <summary>Records the protocol a 101 switches to.</summary>
    public void SetUpgrade(ReadOnlySpan<byte> protocol) => _upgrade = Headers.Store(protocol);

    /// <summary>Forgets the previous response; keeps the buffers.</summary>
    public void Reset()
    {
        Headers.Clear();
        StatusCode = 0;
        ContentLength = -1;
        HasBody = false;
        UpstreamCloses = false;
        _upgrade = default;
    }

    /// <summary>Returns the pooled arena.</summary>
    public void Dispose() => Headers.Dispose();
}
