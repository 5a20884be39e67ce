using System.Buffers;
using System.Runtime.CompilerServices;
using Meshy.Engine.Http;
using Meshy.Engine.Tasks;

namespace Meshy.Filters.Router;

/// <summary>
/// A request body that can be sent again: it hands the client's bytes on as they arrive (zero-copy, the
/// receive buffers themselves) and keeps a copy of them, up to <see cref="RetryPolicy.ReplayBufferSize"/>,
/// in a buffer rented from the pool. After <see cref="Rewind"/> it serves the kept bytes first, then
/// goes on reading the client where the previous attempt stopped.
/// </summary>
/// <remarks>
/// One per router exchange state (per downstream connection), armed with <see cref="Start"/> for a
/// retryable request and <see cref="Return"/>ed when the exchange ends. Once the body outgrows the
/// buffer the copy stops and <see cref="Replayable"/> turns false for good.
/// <para>
/// Stopping an attempt must not lose client bytes: <see cref="CancelRead"/> cancels a read of the client
/// through a token, which leaves the client's pipe untouched (unlike <c>CancelPendingRead</c>, whose
/// cancellation lingers for the next reader when it lands between two reads).
/// </para>
/// </remarks>
internal sealed class ReplayableRequestBody : IHttpBodySource
{
    private IHttpBodySource? _client;
    private byte[]? _buffer;
    private int _kept;
    private int _replayed;
    private bool _overflowed;
    private bool _clientEnded;
    private bool _servingKept;
    private bool _advanceClient;
    private CancellationTokenSource _stop = new();

    /// <summary>True while every body byte taken from the client so far is kept: the body can be sent again.</summary>
    public bool Replayable => !_overflowed;

    /// <summary>True when the client's body was read to its end.</summary>
    public bool IsCompleted => _clientEnded && _replayed == _kept;

    /// <inheritdoc />
    public HttpHeaderList? Trailers => _client?.Trailers;

    /// <summary>Arms the body for a request whose body is <paramref name="client"/>.</summary>
    public void Start(IHttpBodySource client)
    {
        _client = client;
        _kept = 0;
        _replayed = 0;
        _overflowed = false;
        _clientEnded = client.IsCompleted;
        _servingKept = false;
        _advanceClient = false;
        if (!_stop.TryReset())
        {
            _stop.Dispose();
            _stop = new CancellationTokenSource();
        }
    }

    /// <summary>
    /// Cancels a read of the client in progress (the attempt is being stopped); nothing is consumed. A
    /// read not yet started after this fails too, until <see cref="Rewind"/>.
    /// </summary>
    public void CancelRead() => _stop.Cancel();

    /// <summary>Starts over from the first body byte for the next attempt.</summary>
    public void Rewind()
    {
        _replayed = 0;
        _servingKept = false;
        _advanceClient = false;
        if (_stop.IsCancellationRequested || !_stop.TryReset())
        {
            // A cancelled source cannot be reset: the rare retry of a body costs a new one.
            _stop.Dispose();
            _stop = new CancellationTokenSource();
        }
    }

    /// <summary>Gives the buffer back to the pool and forgets the body.</summary>
    public void Return()
    {
        _client = null;
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc />
    public ValueTask<HttpBodyChunk> ReadAsync(CancellationToken cancellationToken)
    {
        if (_replayed < _kept)
        {
            // The kept bytes, in one slice; the end goes with them when the client's body already ended.
            _servingKept = true;
            var kept = new ReadOnlySequence<byte>(_buffer!, _replayed, _kept - _replayed);
            return new ValueTask<HttpBodyChunk>(new HttpBodyChunk(kept, _clientEnded));
        }
        if (_clientEnded)
        {
            return new ValueTask<HttpBodyChunk>(HttpBodyChunk.End);
        }
        ValueTask<HttpBodyChunk> read = _client!.ReadAsync(_stop.Token);
        if (read.IsCompletedSuccessfully)
        {
            return new ValueTask<HttpBodyChunk>(Keep(read.Result));
        }
        return AwaitClientAsync(read);
    }

    /// <inheritdoc />
    public void Advance()
    {
        if (_servingKept)
        {
            _servingKept = false;
            _replayed = _kept;
            return;
        }
        if (_advanceClient)
        {
            _advanceClient = false;
            _client!.Advance();
        }
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<HttpBodyChunk> AwaitClientAsync(ValueTask<HttpBodyChunk> read) => Keep(await read.ConfigureAwait(false));

    /// <summary>Copies a chunk read from the client into the buffer (while it fits) and hands the original on.</summary>
    private HttpBodyChunk Keep(HttpBodyChunk chunk)
    {
        _advanceClient = true;
        long length = chunk.Data.Length;
        if (!_overflowed && length > 0)
        {
            if (_kept + length > RetryPolicy.ReplayBufferSize)
            {
                _overflowed = true;
            }
            else
            {
                _buffer ??= ArrayPool<byte>.Shared.Rent(RetryPolicy.ReplayBufferSize);
                chunk.Data.CopyTo(_buffer.AsSpan(_kept));
                _kept += (int)length;
            }
        }
        // Served from the client, so these bytes count as replayed for this attempt.
        _replayed = _kept;
        if (chunk.IsEnd)
        {
            _clientEnded = true;
        }
        return chunk;
    }
}
