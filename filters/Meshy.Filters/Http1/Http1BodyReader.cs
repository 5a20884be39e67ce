using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Meshy.Engine.Http;
using Meshy.Engine.Tasks;

namespace Meshy.Filters.Http1;

/// <summary>
/// The body of an HTTP/1 message read from a connection's pipe (a request from the client, a response
/// from the upstream), framing removed, handed out as slices of the pipe's own buffers so they can be
/// sent on without a copy. One instance per connection, <see cref="Start"/>ed for each message.
/// </summary>
/// <remarks>
/// The pipe is advanced only in <see cref="Advance"/>, after the caller has sent the slice: until then
/// the bytes stay where the socket put them, which is also the back-pressure (an unsent slice keeps
/// the pipe full, and a full pipe stops reading the socket).
/// </remarks>
internal sealed class Http1BodyReader : IHttpBodySource, IDisposable
{
    private readonly Http1LengthDelimitedDecoder _length = new();
    private readonly Http1ChunkedDecoder _chunked;
    private readonly HttpHeaderList _trailers = new();
    private PipeReader? _input;
    private UpstreamReadTimeout? _readTimeout;
    private Http1BodyKind _kind;
    private SequencePosition _consumed;
    private bool _mustAdvance;
    private bool _completed;
    private bool _hasTrailers;
    private IHttp1ContinueSender? _continue;
    private IHttp1BodyEndObserver? _endObserver;

    public Http1BodyReader(Http1Limits limits)
    {
        _chunked = new Http1ChunkedDecoder(limits);
    }

    /// <inheritdoc />
    public bool IsCompleted => _completed;

    /// <inheritdoc />
    public HttpHeaderList? Trailers => _hasTrailers ? _trailers : null;

    /// <summary>Body bytes handed out so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>How the current body is delimited.</summary>
    public Http1BodyKind Kind => _kind;

    /// <summary>
    /// Starts reading a body framed by <paramref name="framing"/> from <paramref name="input"/>.
    /// <paramref name="continueSender"/>, when set, is asked to send <c>100 Continue</c> before the first read;
    /// <paramref name="endObserver"/>, when set, is told once the end was read and released;
    /// <paramref name="readTimeout"/>, when set (an upstream's body), times the waits for more bytes.
    /// </summary>
    public void Start(PipeReader input, Http1BodyFraming framing, IHttp1ContinueSender? continueSender = null,
        IHttp1BodyEndObserver? endObserver = null, UpstreamReadTimeout? readTimeout = null)
    {
        _input = input;
        _readTimeout = readTimeout;
        _kind = framing.Kind;
        _mustAdvance = false;
        _hasTrailers = false;
        _trailers.Clear();
        BytesRead = 0;
        _continue = continueSender;
        _endObserver = endObserver;
        switch (framing.Kind)
        {
            case Http1BodyKind.ContentLength:
                _length.Reset(framing.Length);
                _completed = framing.Length == 0;
                break;
            case Http1BodyKind.Chunked:
                _chunked.Reset();
                _completed = false;
                break;
            case Http1BodyKind.UntilClose:
                _completed = false;
                break;
            default:
                _completed = true;
                break;
        }
    }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public async ValueTask<HttpBodyChunk> ReadAsync(CancellationToken cancellationToken)
    {
        if (_completed)
        {
            return HttpBodyChunk.End;
        }
        if (_continue is { } sender)
        {
            // RFC 9110 §10.1.1: the client waits for 100 before sending the body; the proxy answers
            // for the upstream, which never sees the expectation.
            _continue = null;
            await sender.SendContinueAsync(cancellationToken).ConfigureAwait(false);
        }
        PipeReader input = _input!;
        while (true)
        {
            ValueTask<ReadResult> read = input.ReadAsync(cancellationToken);
            ReadResult result;
            if (read.IsCompleted || _readTimeout is null)
            {
                result = await read.ConfigureAwait(false);
            }
            else
            {
                using (_readTimeout.Wait())
                {
                    result = await read.ConfigureAwait(false);
                }
            }
            if (result.IsCanceled)
            {
                // Nothing consumed: the body can still be read from here (a retry on another connection).
                input.AdvanceTo(result.Buffer.Start);
                throw new OperationCanceledException("the body read was cancelled");
            }
            if (TryDecode(result, out HttpBodyChunk chunk))
            {
                return chunk;
            }
            if (result.IsCompleted)
            {
                Http1BodyTruncatedException.Throw();
            }
        }
    }

    /// <inheritdoc />
    public void Advance()
    {
        if (_mustAdvance)
        {
            _mustAdvance = false;
            _input!.AdvanceTo(_consumed);
            if (_completed && _endObserver is { } observer)
            {
                _endObserver = null;
                observer.OnBodyEnd();
            }
        }
    }

    /// <summary>Returns the pooled buffers.</summary>
    public void Dispose()
    {
        _chunked.Dispose();
        _trailers.Dispose();
    }

    /// <summary>Decodes what the pipe holds; false (pipe advanced, all examined) when more bytes are needed.</summary>
    private bool TryDecode(ReadResult result, out HttpBodyChunk chunk)
    {
        ReadOnlySequence<byte> buffer = result.Buffer;
        var reader = new SequenceReader<byte>(buffer);
        ReadOnlySequence<byte> data;
        switch (_kind)
        {
            case Http1BodyKind.ContentLength:
                if (_length.TryRead(ref reader, out data))
                {
                    _completed = _length.IsCompleted;
                    return Hand(reader.Position, data, out chunk);
                }
                break;
            case Http1BodyKind.Chunked:
                if (_chunked.TryRead(ref reader, out data))
                {
                    if (_chunked.IsCompleted)
                    {
                        _completed = true;
                        CopyTrailers();
                    }
                    return Hand(reader.Position, data, out chunk);
                }
                break;
            default:
                // Read until close (a response only, §6.3 rule 8): everything is body.
                if (!buffer.IsEmpty)
                {
                    return Hand(buffer.End, buffer, out chunk);
                }
                if (result.IsCompleted)
                {
                    _completed = true;
                    return Hand(buffer.End, default, out chunk);
                }
                break;
        }
        // Framing units read so far are consumed; the rest was examined, so the next read waits for more.
        _input!.AdvanceTo(reader.Position, buffer.End);
        chunk = default;
        return false;
    }

    private bool Hand(SequencePosition consumed, ReadOnlySequence<byte> data, out HttpBodyChunk chunk)
    {
        _consumed = consumed;
        _mustAdvance = true;
        BytesRead += data.Length;
        chunk = new HttpBodyChunk(data, _completed);
        return true;
    }

    private void CopyTrailers()
    {
        Http1HeaderStore store = _chunked.Trailers;
        for (int i = 0; i < store.Count; i++)
        {
            // Trailers never carry framing or routing (RFC 9110 §6.5.1); hop-by-hop ones are dropped too.
            Http1KnownHeader known = store.GetKnownHeader(i);
            if (known is Http1KnownHeader.None)
            {
                _trailers.Add(store.GetName(i), store.GetValue(i));
            }
        }
        _hasTrailers = _trailers.Count > 0;
    }
}
