namespace Meshy.Filters.Http2.Connection;

/// <summary>What an <see cref="Http2Stream"/> tells the connection that owns it.</summary>
internal interface IHttp2StreamOwner
{
    /// <summary>
    /// The request body's consumer released <paramref name="bytes"/> of <paramref name="stream"/>'s
    /// buffered DATA: the flow-control credit goes back to the client (WINDOW_UPDATE) from here.
    /// </summary>
    void OnRequestBodyConsumed(Http2Stream stream, int bytes);
}
