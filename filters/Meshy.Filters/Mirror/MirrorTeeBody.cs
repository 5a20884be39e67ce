using System.Runtime.CompilerServices;
using Meshy.Engine.Http;
using Meshy.Engine.Tasks;

namespace Meshy.Filters.Mirror;

/// <summary>
/// The primary's request body as the router reads it, teed: every chunk read from the client is also copied
/// into the copy's <see cref="MirrorWindow"/>, once, however often the router replays the body itself (a
/// retry re-reads the router's replay copy, not this source). The primary never waits for the copy: a
/// chunk that does not fit the window abandons the copy and the primary goes on.
/// </summary>
internal sealed class MirrorTeeBody : IHttpBodySource
{
    private IHttpBodySource? _client;
    private MirrorRequest? _mirror;
    private bool _teeing;
    private bool _sawEnd;

    /// <inheritdoc />
    public bool IsCompleted => _client?.IsCompleted ?? _sawEnd;

    /// <inheritdoc />
    public HttpHeaderList? Trailers => _client?.Trailers;

    /// <summary>Arms the tee for one request: <paramref name="client"/>'s body, copied to <paramref name="mirror"/>.</summary>
    public void Start(IHttpBodySource client, MirrorRequest mirror)
    {
        _client = client;
        _mirror = mirror;
        _teeing = true;
        _sawEnd = false;
    }

    /// <inheritdoc />
    public ValueTask<HttpBodyChunk> ReadAsync(CancellationToken cancellationToken)
    {
        ValueTask<HttpBodyChunk> read = _client!.ReadAsync(cancellationToken);
        return read.IsCompletedSuccessfully ? new ValueTask<HttpBodyChunk>(Tee(read.Result)) : AwaitClientAsync(read);
    }

    /// <inheritdoc />
    public void Advance() => _client!.Advance();

    /// <summary>
    /// The primary exchange is over (its filters' completion): a copy whose body did not arrive whole (client
    /// gone, the primary answered before reading it) is abandoned. The tee lets go of the copy.
    /// </summary>
    public void PrimaryCompleted()
    {
        if (_mirror is not { } mirror)
        {
            return;
        }
        if (_teeing)
        {
            _teeing = false;
            mirror.Abandon();
        }
        _mirror = null;
        _client = null;
        mirror.Release();
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<HttpBodyChunk> AwaitClientAsync(ValueTask<HttpBodyChunk> read)
    {
        HttpBodyChunk chunk;
        try
        {
            chunk = await read.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The client's body is broken (truncated, malformed): the copy can never be whole. A cancelled
            // read is not: the router stops a try that way and reads on for the next one.
            StopTeeing(abandon: true);
            throw;
        }
        return Tee(chunk);
    }

    private HttpBodyChunk Tee(HttpBodyChunk chunk)
    {
        if (_teeing && !chunk.Data.IsEmpty)
        {
            switch (_mirror!.Window.TryWrite(chunk.Data))
            {
                case MirrorWrite.Full:
                    StopTeeing(abandon: true);
                    break;
                case MirrorWrite.Closed:
                    StopTeeing(abandon: false);
                    break;
            }
        }
        if (chunk.IsEnd)
        {
            _sawEnd = true;
            if (_teeing)
            {
                _teeing = false;
                _mirror!.Window.CompleteWriter();
            }
        }
        return chunk;
    }

    private void StopTeeing(bool abandon)
    {
        if (!_teeing)
        {
            return;
        }
        _teeing = false;
        if (abandon)
        {
            _mirror!.Abandon();
        }
        else
        {
            _mirror!.Window.CompleteWriter();
        }
    }
}
