using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Meshy.Testing;

/// <summary>
/// Socket helpers for loopback tests: connect, send, read to the end, and wait on a condition. Every
/// wait has a timeout (default <see cref="DefaultTimeout"/>) so a broken build fails instead of hanging.
/// </summary>
public static class Loopback
{
    /// <summary>How long a helper waits before it fails the test.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A connected client socket (NoDelay) to <paramref name="endPoint"/>.</summary>
    public static async Task<Socket> ConnectAsync(IPEndPoint endPoint, TimeSpan? timeout = null)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await socket.ConnectAsync(endPoint, cts.Token).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A connected pair on 127.0.0.1: the accepted side (as a listener hands it to the engine, NoDelay) and
    /// the client side the test drives (NoDelay). The caller owns and disposes both.
    /// </summary>
    public static async Task<(Socket Accepted, Socket Peer)> ConnectPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        Socket peer = await ConnectAsync((IPEndPoint)listener.LocalEndPoint!).ConfigureAwait(false);
        try
        {
            Socket accepted = await listener.AcceptAsync().WaitAsync(DefaultTimeout).ConfigureAwait(false);
            accepted.NoDelay = true;
            return (accepted, peer);
        }
        catch
        {
            peer.Dispose();
            throw;
        }
    }

    /// <summary>Sends every byte of <paramref name="data"/>.</summary>
    public static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        while (!data.IsEmpty)
        {
            int sent = await socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes; fails on timeout or an early end of stream.</summary>
    public static async Task<byte[]> ReadExactlyAsync(Socket socket, int count, TimeSpan? timeout = null)
    {
        byte[] buffer = new byte[count];
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        int filled = 0;
        while (filled < count)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cts.Token).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException($"the peer ended the stream after {filled} of {count} bytes");
            }
            filled += read;
        }
        return buffer;
    }

    /// <summary>Reads until the peer's FIN; fails on timeout.</summary>
    public static async Task<byte[]> ReadToEndAsync(Socket socket, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        using var received = new MemoryStream();
        byte[] buffer = new byte[16 * 1024];
        while (true)
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token).ConfigureAwait(false);
            if (read == 0)
            {
                return received.ToArray();
            }
            received.Write(buffer, 0, read);
        }
    }

    /// <summary>Reads until the peer's FIN, hashing (SHA-256) instead of keeping the bytes.</summary>
    public static async Task<(byte[] Hash, long Length)> HashToEndAsync(Socket socket, CancellationToken cancellationToken = default)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[64 * 1024];
        long length = 0;
        while (true)
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return (hash.GetHashAndReset(), length);
            }
            hash.AppendData(buffer, 0, read);
            length += read;
        }
    }

    /// <summary>
    /// Waits until the peer ends the connection: true for a FIN or a reset, false when it sends data
    /// instead. Fails when nothing happens within the timeout.
    /// </summary>
    public static async Task<bool> WaitForCloseAsync(Socket socket, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        byte[] buffer = new byte[1];
        try
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token).ConfigureAwait(false);
            return read == 0;
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            return true;
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="because"/> on timeout.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string because, TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting until {because}");
            }
            await Task.Delay(5).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A socket bound to 127.0.0.1 port 0 that does not listen: a connect to its address is refused
    /// (RST) for as long as it lives, and no other test can take the port meanwhile.
    /// </summary>
    public static Socket BindRefusing()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    /// <summary>
    /// A listening socket whose connects hang: backlog 0 and its accept queue already full, so Linux
    /// drops further SYNs and a client waits in SYN_SENT. Returns the listener and the fillers (dispose all).
    /// </summary>
    public static async Task<(Socket Listener, IReadOnlyList<Socket> Fillers)> BlackholeAsync()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var endPoint = (IPEndPoint)listener.LocalEndPoint!;
        var fillers = new List<Socket>();
        // Fill the accept queue until a connect no longer completes (Linux queues backlog + 1).
        for (int i = 0; i < 8; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            fillers.Add(filler);
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            try
            {
                await filler.ConnectAsync(endPoint, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return (listener, fillers);
            }
        }
        throw new InvalidOperationException("could not fill the accept queue: connects on this machine never hang");
    }
}
