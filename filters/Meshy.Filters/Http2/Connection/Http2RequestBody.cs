using System.Buffers;
using System.Runtime.CompilerServices;
using Meshy.Engine.Http;
using Meshy.Engine.Tasks;

namespace Meshy.Filters.Http2.Connection;

/// <summary>
/// The request body of one HTTP/2 stream: the connection's frame loop appends each DATA payload, the
/// router's body pump reads it. The buffer never holds more than the stream's receive window (the client
/// may not send more; the connection resets a stream that does), and each <see cref="Advance"/> hands
/// the released bytes' credit back to the client, so a slow upstream stalls its own stream only.
/// </summary>
/// <remarks>
/// NOTE: DATA payloads are copied once, from the connection's receive buffer into this stream's
/// <see cref="HttpBodyBuffer"/>. Handing out slices of the connection's buffer would tie its release to the
/// slowest stream's consumer and so stall the frame loop, and with it every other stream. Responses are not
/// copied. Most requests have no body (END_STREAM on HEADERS): their buffer never takes a block.
/// </remarks>
internal sealed class Http2RequestBody : IHttpBodySource, IDisposable
{
    private readonly Http2Stream _stream;
    private readonly IHttp2StreamOwner _owner;
    private readonly HttpHeaderList _trailers = new();
    private readonly HttpBodyBuffer _buffer = new();
    private bool _hasTrailers;
    private bool _completed;

    public Http2RequestBody(Http2Stream stream, IHttp2StreamOwner owner)
    {
        _stream = stream;
        _owner = owner;
    }

    /// <inheritdoc />
    public bool IsCompleted => _completed;

    /// <inheritdoc />
    public HttpHeaderList? Trailers => _hasTrailers ? _trailers : null;

    /// <summary>Body bytes handed to the consumer (<c>istio_request_bytes</c>).</summary>
    public long BytesRead { get; private set; }

    /// <inheritdoc />
    public ValueTask<HttpBodyChunk> ReadAsync(CancellationToken cancellationToken)
    {
        ValueTask<HttpBodyChunk> read = _buffer.ReadAsync(cancellationToken);
        if (read.IsCompletedSuccessfully)
        {
            return new ValueTask<HttpBodyChunk>(Count(read.Result));
        }
        return AwaitReadAsync(read);
    }

    /// <inheritdoc />
    public void Advance()
    {
        long length = _buffer.Advance();
        if (length > 0)
        {
            _owner.OnRequestBodyConsumed(_stream, (int)length);
        }
    }

    /// <summary>Wakes a pending read, which then throws <see cref="OperationCanceledException"/>; nothing is consumed.</summary>
    public void CancelPendingRead() => _buffer.CancelPendingRead();

    /// <summary>Frame loop: appends one DATA frame's data (copied), and ends the body when <paramref name="end"/>.</summary>
    public void Append(in ReadOnlySequence<byte> data, bool end = false) => _buffer.Write(data, end);

    /// <summary>Frame loop: the trailer fields to fill before <see cref="End"/>.</summary>
    public HttpHeaderList BeginTrailers()
    {
        _hasTrailers = true;
        return _trailers;
    }

    /// <summary>Frame loop: END_STREAM arrived.</summary>
    public void End() => _buffer.Complete();

    /// <summary>Frame loop: END_STREAM came with the HEADERS, before the stream was published (see <see cref="HttpBodyBuffer.EndUnused"/>).</summary>
    public void EndUnused() => _buffer.EndUnused();

    /// <summary>The stream was reset or the connection ended: a read in progress or to come throws <paramref name="reason"/>.</summary>
    public void Fail(Exception reason) => _buffer.Complete(reason);

    /// <summary>Makes the body reusable for the next stream (both sides done with it).</summary>
    public void Reset()
    {
        _buffer.Reset();
        _completed = false;
        _hasTrailers = false;
        _trailers.Clear();
        BytesRead = 0;
    }

    public void Dispose()
    {
        Fail(new ObjectDisposedException(nameof(Http2RequestBody)));
        _buffer.Release();
        _trailers.Dispose();
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<HttpBodyChunk> AwaitReadAsync(ValueTask<HttpBodyChunk> read) => Count(await read.ConfigureAwait(false));

    private HttpBodyChunk Count(HttpBodyChunk chunk)
    {
        BytesRead += chunk.Data.Length;
        if (chunk.IsEnd)
        {
            _completed = true;
        }
        return chunk;
    }
}
