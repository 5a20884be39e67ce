using System.Net.Sockets;
using System.Text;

namespace Meshy.Testing;

/// <summary>
/// A buffered reader of HTTP/1.1 messages on a raw socket, for test peers on both sides: reads a head
/// (up to the empty line) and a body framed by Content-Length or chunked. Deliberately simple and
/// lenient; the proxy's strict codec is what is under test.
/// </summary>
public sealed class HttpTestConnection(Socket socket)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>The socket.</summary>
    public Socket Socket { get; } = socket;

    /// <summary>Reads one head; null when the peer closed before any byte of it.</summary>
    public async Task<HttpTestMessage?> ReadHeadAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Loopback.DefaultTimeout);
        while (true)
        {
            int end = IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                string head = Encoding.Latin1.GetString(_buffer, _start, end - _start);
                _start = end + 4;
                return HttpTestMessage.Parse(head);
            }
            if (!await FillAsync(timeout.Token))
            {
                if (_end == _start)
                {
                    return null;
                }
                throw new EndOfStreamException("the peer closed in the middle of a head");
            }
        }
    }

    /// <summary>Reads the body <paramref name="head"/> announces (request semantics: none without framing).</summary>
    public async Task<byte[]> ReadBodyAsync(HttpTestMessage head, bool untilCloseWhenUnframed = false, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Loopback.DefaultTimeout * 3);
        var body = new MemoryStream();
        if (head.Header("transfer-encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
        {
            while (true)
            {
                string line = await ReadLineAsync(timeout.Token);
                int semicolon = line.IndexOf(';');
                long size = Convert.ToInt64(semicolon < 0 ? line : line[..semicolon], 16);
                if (size == 0)
                {
                    while ((line = await ReadLineAsync(timeout.Token)).Length > 0)
                    {
                        int colon = line.IndexOf(':');
                        head.Trailers.Add((line[..colon].Trim(), line[(colon + 1)..].Trim()));
                    }
                    return body.ToArray();
                }
                await CopyAsync(body, size, timeout.Token);
                await ReadLineAsync(timeout.Token);
            }
        }
        if (head.Header("content-length") is { } length)
        {
            await CopyAsync(body, long.Parse(length), timeout.Token);
            return body.ToArray();
        }
        if (untilCloseWhenUnframed)
        {
            while (true)
            {
                body.Write(_buffer, _start, _end - _start);
                _start = _end;
                if (!await FillAsync(timeout.Token))
                {
                    return body.ToArray();
                }
            }
        }
        return [];
    }

    /// <summary>Reads a response: its head and (unless HEAD/1xx/204/304) its body.</summary>
    public async Task<(HttpTestMessage Head, byte[] Body)> ReadResponseAsync(bool headRequest = false)
    {
        HttpTestMessage head = await ReadHeadAsync() ?? throw new EndOfStreamException("closed before a response");
        if (headRequest || head.Status is < 200 or 204 or 304)
        {
            return (head, []);
        }
        return (head, await ReadBodyAsync(head, untilCloseWhenUnframed: true));
    }

    /// <summary>Reads and drops <paramref name="count"/> body bytes (large bodies a test only counts); returns how many arrived.</summary>
    public async Task<long> DiscardAsync(long count, CancellationToken cancellationToken = default)
    {
        long discarded = 0;
        while (discarded < count)
        {
            if (_end == _start && !await FillAsync(cancellationToken))
            {
                break;
            }
            int take = (int)Math.Min(count - discarded, _end - _start);
            _start += take;
            discarded += take;
        }
        return discarded;
    }

    /// <summary>Reads <paramref name="count"/> body bytes into <paramref name="hash"/> (large bodies a test only fingerprints); returns how many arrived.</summary>
    public async Task<long> HashAsync(long count, System.Security.Cryptography.IncrementalHash hash, CancellationToken cancellationToken = default)
    {
        long hashed = 0;
        while (hashed < count)
        {
            if (_end == _start && !await FillAsync(cancellationToken))
            {
                break;
            }
            int take = (int)Math.Min(count - hashed, _end - _start);
            hash.AppendData(_buffer, _start, take);
            _start += take;
            hashed += take;
        }
        return hashed;
    }

    /// <summary>
    /// Reads until the peer ends the connection: the bytes that arrived after the last message read
    /// (buffered ones included), and whether the end was a reset (true) or a FIN (false). Fails with
    /// <see cref="TimeoutException"/> when the connection is still open after <paramref name="timeout"/>
    /// (default <see cref="Loopback.DefaultTimeout"/>).
    /// </summary>
    public async Task<(byte[] Received, bool Reset)> ReadUntilClosedAsync(TimeSpan? timeout = null)
    {
        TimeSpan limit = timeout ?? Loopback.DefaultTimeout;
        using var cts = new CancellationTokenSource(limit);
        var received = new MemoryStream();
        while (true)
        {
            received.Write(_buffer, _start, _end - _start);
            _start = _end;
            try
            {
                if (!await FillAsync(cts.Token))
                {
                    return (received.ToArray(), false);
                }
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                return (received.ToArray(), true);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"the peer kept the connection open for {limit.TotalSeconds} s ({received.Length} bytes received)");
            }
        }
    }

    /// <summary>Bytes already buffered past the last message.</summary>
    public int Buffered => _end - _start;

    private async Task CopyAsync(Stream target, long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (_end == _start && !await FillAsync(cancellationToken))
            {
                throw new EndOfStreamException("the peer closed in the middle of a body");
            }
            int take = (int)Math.Min(count, _end - _start);
            target.Write(_buffer, _start, take);
            _start += take;
            count -= take;
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int end = IndexOf("\r\n"u8);
            if (end >= 0)
            {
                string line = Encoding.Latin1.GetString(_buffer, _start, end - _start);
                _start = end + 2;
                return line;
            }
            if (!await FillAsync(cancellationToken))
            {
                throw new EndOfStreamException("the peer closed in the middle of a line");
            }
        }
    }

    private int IndexOf(ReadOnlySpan<byte> value)
    {
        int index = _buffer.AsSpan(_start, _end - _start).IndexOf(value);
        return index < 0 ? -1 : _start + index;
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            throw new InvalidOperationException("a test message line or head is larger than the test buffer");
        }
        int read = await Socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        _end += read;
        return read > 0;
    }
}
