namespace Meshy.Engine.Http;

/// <summary>
/// One request/response exchange with an upstream, whatever the protocol: an HTTP/1.1 pooled connection
/// lent to the request, or an HTTP/2 stream multiplexed on a shared connection. The router drives every
/// try through this surface (head up, body up concurrently, head back, body back, release), so its
/// timeouts, retries, circuit breaking, outlier reporting and response flags are written once for both.
/// </summary>
/// <remarks>
/// Failures before a response head: <see cref="ReadResponseHeadAsync"/> returns false when the upstream
/// closed cleanly (<c>UC</c>) and throws otherwise: the codec's protocol exception for a malformed answer
/// (502), <see cref="OperationCanceledException"/> after <see cref="Abort"/>, any other exception for a reset
/// (<c>UR</c>). <see cref="Abort"/> may be called from any thread, any number of times.
/// </remarks>
public abstract class UpstreamStream
{
    /// <summary>True while the request body pump waits on the body source (a failure then is the client's).</summary>
    public abstract bool ReadingBody { get; }

    /// <summary>True once the request (head and body) went out completely.</summary>
    public abstract bool RequestSent { get; }

    /// <summary>True once a byte of the response arrived: the upstream certainly saw the request.</summary>
    public abstract bool ResponseStarted { get; }

    /// <summary>True once the body pump took body bytes (or the body's end) from the client.</summary>
    public abstract bool BodyTaken { get; }

    /// <summary>
    /// True when the upstream said it did not process the request (HTTP/2 REFUSED_STREAM, or a stream above
    /// a GOAWAY's last stream id): it may be sent again whatever its method (CONTRACT: retries, refused-stream).
    /// </summary>
    public virtual bool Unprocessed => false;

    /// <summary>The cluster's <c>read_timeout</c> on this exchange's waits for the upstream; null where it does not apply.</summary>
    public virtual UpstreamReadTimeout? ReadTimeout => null;

    /// <summary>The body of the response head last read.</summary>
    public abstract IHttpBodySource ResponseBody { get; }

    /// <summary>Sends the request head.</summary>
    public abstract ValueTask SendRequestHeadAsync(HttpRequestHead request);

    /// <summary>
    /// True when <see cref="ReadResponseHeadAsync"/> may start while the head's send is still pending, and a
    /// failed send also ends that read (its socket is shut down): the router then waits once, for the
    /// response, instead of once for the send and once more for the response.
    /// </summary>
    public virtual bool ReadsWhileHeadSends => false;

    /// <summary>Streams <paramref name="body"/> upstream from the buffers it was received in.</summary>
    public abstract ValueTask SendRequestBodyAsync(IHttpBodySource body);

    /// <summary>Reads the response head into <paramref name="response"/>; false: the upstream closed before one.</summary>
    public abstract ValueTask<bool> ReadResponseHeadAsync(HttpMethodKind method, HttpResponseHead response);

    /// <summary>Resets the exchange now: pending reads and sends fail at once; the upstream sees a reset.</summary>
    public abstract void Abort();

    /// <summary>
    /// Gives the stream back. <paramref name="reusable"/>: both messages were complete and neither side asked
    /// to close, so what carried it may serve another request.
    /// </summary>
    public abstract void Release(bool reusable);
}
