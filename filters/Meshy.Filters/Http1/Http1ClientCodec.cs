using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Meshy.Engine.Http;
using Meshy.Engine.Tasks;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream.Pools;

namespace Meshy.Filters.Http1;

/// <summary>
/// The upstream side of HTTP/1.1 on one pooled connection: writes a request head, streams the request
/// body (zero-copy, re-framed), parses the response head and hands out the response body. Created once
/// per upstream connection and kept with it in the pool (<c>Http1PooledConnection.Codec</c>); as the
/// router's <see cref="UpstreamStream"/> it is the connection lent to one request at a time.
/// </summary>
internal sealed class Http1ClientCodec : UpstreamStream, IDisposable
{
    private readonly Http1ResponseHead _head = new();
    private readonly Http1OutputBuffer _output = new();
    private readonly Http1OutputBuffer _framing = new();
    private readonly Http1SendChain _chain = new();
    private readonly Http1Parser _parser;
    private bool _chunked;

    public Http1ClientCodec(UpstreamConnection connection, Http1Limits limits)
    {
        Connection = connection;
        _parser = new Http1Parser(limits);
        ResponseBody = new Http1BodyReader(limits);
        ReadTimeout = new UpstreamReadTimeout(Abort);
    }

    /// <summary>The connection.</summary>
    public UpstreamConnection Connection { get; }

    /// <summary>
    /// The codec kept with a pooled connection, made on its first use. Every user of a pool (the router,
    /// mirror copies) takes it here, so whoever made it, it knows its lease.
    /// </summary>
    public static Http1ClientCodec For(Http1PooledConnection lease)
    {
        if (lease.Codec is Http1ClientCodec codec)
        {
            return codec;
        }
        codec = new Http1ClientCodec(lease.Connection, Http1Limits.Default) { Lease = lease };
        lease.Codec = codec;
        return codec;
    }

    /// <summary>The pooled connection this codec belongs to; null for a codec used on its own.</summary>
    public Http1PooledConnection? Lease { get; init; }

    /// <summary>The body of the last response head read.</summary>
    public override Http1BodyReader ResponseBody { get; }

    /// <inheritdoc />
    public override UpstreamReadTimeout ReadTimeout { get; }

    /// <summary>True while the request body pump waits on the body source (a failure then is the client's).</summary>
    public override bool ReadingBody => _readingBody;

    /// <summary>True once the request (head and body) went out completely.</summary>
    public override bool RequestSent => _requestSent;

    /// <summary>
    /// True once a byte of the response to the current request arrived. A failure before that on a reused
    /// connection is the keep-alive race (the upstream closed it while idle), which may be retried.
    /// </summary>
    public override bool ResponseStarted => _responseStarted;

    /// <summary>True once the body pump took body bytes (or the body's end) from the client: the request can no longer be replayed.</summary>
    public override bool BodyTaken => _bodyTaken;

    private bool _readingBody;
    private bool _requestSent;
    private bool _responseStarted;
    private bool _bodyTaken;

    /// <inheritdoc />
    public override ValueTask SendRequestHeadAsync(HttpRequestHead request) => SendHead(request, CancellationToken.None, out _chunked);

    /// <inheritdoc />
    /// <remarks>Where a send that fails shuts the socket down, which ends the pending read (the epoll engine's sender).</remarks>
    public override bool ReadsWhileHeadSends => Connection.Sender.FailureEndsReads;

    /// <inheritdoc />
    public override ValueTask SendRequestBodyAsync(IHttpBodySource body) => SendRequestBodyAsync(body, _chunked, CancellationToken.None);

    /// <inheritdoc />
    public override ValueTask<bool> ReadResponseHeadAsync(HttpMethodKind method, HttpResponseHead response) =>
        ReadResponseHeadAsync(method, response, CancellationToken.None);

    /// <summary>Resets the connection (RST) and wakes a pending response read.</summary>
    public override void Abort()
    {
        Connection.Abort();
        try
        {
            Connection.Transport.Input.CancelPendingRead();
        }
        catch (InvalidOperationException)
        {
            // Already completed.
        }
    }

    /// <summary>Gives the connection back to its pool.</summary>
    public override void Release(bool reusable)
    {
        ReadTimeout.Stop();
        Lease!.Pool.Release(Lease, reusable);
    }

    /// <summary>Sends the request head; returns whether the body goes chunked.</summary>
    public ValueTask<bool> SendRequestHeadAsync(HttpRequestHead request, CancellationToken cancellationToken)
    {
        ValueTask send = SendHead(request, cancellationToken, out bool chunked);
        return send.IsCompletedSuccessfully ? new ValueTask<bool>(chunked) : AwaitHeadAsync(send, chunked);
    }

    /// <summary>
    /// Writes the request head and starts its send, whose task is returned as it is: on an engine thread the send
    /// waits for the end of the turn, and a wrapper around it would be one more suspended method per request.
    /// </summary>
    private ValueTask SendHead(HttpRequestHead request, CancellationToken cancellationToken, out bool chunked)
    {
        _requestSent = false;
        _responseStarted = false;
        _bodyTaken = false;
        _output.Clear();
        chunked = Http1RequestWriter.WriteHead(request, _output);
        if (!request.HasBody)
        {
            _requestSent = true;
            ReadTimeout.RequestSentWithItsHead();
        }
        return Connection.Sender.SendAsync(_output.Written, cancellationToken);
    }

    /// <summary>
    /// Streams <paramref name="body"/> upstream from the buffers it was received in: as it is for a
    /// known length, re-chunked (one chunk per received slice, trailers passed on) otherwise.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    public async ValueTask SendRequestBodyAsync(IHttpBodySource body, bool chunked, CancellationToken cancellationToken)
    {
        SocketSender sender = Connection.Sender;
        // One gathered send per slice: [CRLF of the previous chunk + size line] [data] [last chunk at the end].
        bool dataEndPending = false;
        while (true)
        {
            _readingBody = true;
            HttpBodyChunk chunk = await body.ReadAsync(cancellationToken).ConfigureAwait(false);
            _readingBody = false;
            _bodyTaken = true;
            try
            {
                ReadOnlySequence<byte> send = chunked ? FrameChunk(chunk, body, ref dataEndPending) : chunk.Data;
                if (!send.IsEmpty)
                {
                    await sender.SendAsync(send, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                body.Advance();
            }
            if (chunk.IsEnd)
            {
                break;
            }
        }
        _requestSent = true;
        ReadTimeout.RequestSent();
    }

    /// <summary>
    /// Reads the response head into <paramref name="response"/>, skipping interim 1xx answers other than
    /// 101 (the proxy answered <c>100 Continue</c> itself). False: the upstream closed before a head (<c>UC</c>).
    /// Throws <see cref="Http1ProtocolException"/> for a malformed head, IO exceptions for a reset.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public async ValueTask<bool> ReadResponseHeadAsync(HttpMethodKind method, HttpResponseHead response, CancellationToken cancellationToken)
    {
        PipeReader input = Connection.Transport.Input;
        while (true)
        {
            ValueTask<ReadResult> read = input.ReadAsync(cancellationToken);
            ReadResult result;
            if (read.IsCompleted)
            {
                result = read.Result;
            }
            else
            {
                using (ReadTimeout.Wait())
                {
                    result = await read.ConfigureAwait(false);
                }
            }
            if (result.IsCanceled)
            {
                throw new OperationCanceledException("the response read was cancelled");
            }
            if (!result.Buffer.IsEmpty)
            {
                _responseStarted = true;
            }
            if (TryParseHead(input, result))
            {
                if (_head.IsInformational && _head.StatusCode != 101)
                {
                    continue;
                }
                Http1BodyFraming framing = Http1HeadConverter.CopyResponse(_head, method, response);
                if (framing.Kind == Http1BodyKind.Tunnel || _head.StatusCode == 101)
                {
                    framing = Http1BodyFraming.None;
                }
                ResponseBody.Start(input, framing, readTimeout: ReadTimeout);
                return true;
            }
            if (result.IsCompleted)
            {
                if (!result.Buffer.IsEmpty)
                {
                    // Part of a head, then the close: as malformed as a bad head.
                    throw new Http1ProtocolException(Http1ParseError.InvalidStatusLine);
                }
                return false;
            }
        }
    }

    /// <summary>Returns the pooled buffers.</summary>
    public void Dispose()
    {
        _head.Dispose();
        _output.Dispose();
        _framing.Dispose();
        ResponseBody.Dispose();
        ReadTimeout.Dispose();
    }

    private ReadOnlySequence<byte> FrameChunk(HttpBodyChunk chunk, IHttpBodySource body, ref bool dataEndPending)
    {
        _framing.Clear();
        if (!chunk.Data.IsEmpty)
        {
            if (dataEndPending)
            {
                _framing.Write("\r\n"u8);
            }
            Http1ResponseWriter.WriteChunkHeader(chunk.Data.Length, _framing);
            dataEndPending = true;
        }
        int beforeData = _framing.Length;
        if (chunk.IsEnd)
        {
            if (dataEndPending)
            {
                _framing.Write("\r\n"u8);
            }
            Http1ResponseWriter.WriteLastChunk(body.Trailers, _framing);
        }
        ReadOnlyMemory<byte> written = _framing.Written;
        _chain.Clear();
        _chain.Append(written[..beforeData]);
        _chain.Append(chunk.Data);
        _chain.Append(written[beforeData..]);
        return _chain.Build();
    }

    private bool TryParseHead(PipeReader input, ReadResult result)
    {
        var reader = new SequenceReader<byte>(result.Buffer);
        bool done = _parser.TryParseResponseHead(ref reader, _head);
        input.AdvanceTo(reader.Position, done ? reader.Position : result.Buffer.End);
        return done;
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<bool> AwaitHeadAsync(ValueTask send, bool chunked)
    {
        await send.ConfigureAwait(false);
        return chunked;
    }
}
