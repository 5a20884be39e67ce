namespace Meshy.Filters.Http2;

/// <summary>What an HTTP/2 error ends (RFC 9113 §5.4).</summary>
internal enum Http2ErrorScope : byte
{
    /// <summary>The whole connection: send GOAWAY with the code and close.</summary>
    Connection,
    /// <summary>One stream: send RST_STREAM with the code; the connection goes on.</summary>
    Stream,
}
