using System.Net;
using System.Net.Sockets;

namespace Meshy.Bench.Load.Tools;

/// <summary>
/// <c>http-rate</c>'s one keep-alive connection, used synchronously from one thread: send a request,
/// block until its whole response is in, drop the body. Nothing is allocated per request.
/// A connection that failed or that the server closes is disposed; the caller opens a new one.
/// </summary>
internal sealed class RateConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _buffered;

    private RateConnection(Socket socket) => _socket = socket;

    /// <summary>False once the server said <c>Connection: close</c>: open a new connection for the next request.</summary>
    public bool Reusable { get; private set; } = true;

    public static RateConnection Open(IPEndPoint target, TimeSpan timeout)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = (int)timeout.TotalMilliseconds,
            SendTimeout = (int)timeout.TotalMilliseconds,
        };
        try
        {
            socket.Connect(target);
            return new RateConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> and returns the status of its response once the last body
    /// byte is in. Throws <see cref="SocketException"/> (including the receive timeout),
    /// <see cref="IOException"/> (closed mid-response) or <see cref="FormatException"/>.
    /// </summary>
    public int Exchange(ReadOnlySpan<byte> request)
    {
        while (!request.IsEmpty)
        {
            request = request[_socket.Send(request)..];
        }

        // 1. The head: everything up to the blank line.
        int headLength;
        while ((headLength = _buffer.AsSpan(0, _buffered).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (_buffered == _buffer.Length)
            {
                throw new FormatException($"response head longer than {_buffer.Length} bytes");
            }
            Fill();
        }
        headLength += 4;
        (int status, long contentLength, bool close) = ResponseHead.Parse(_buffer.AsSpan(0, headLength));
        Reusable = !close;

        // 2. The body, dropped as it arrives; what follows it (nothing, without pipelining) stays.
        long end = headLength + contentLength;
        while (end > _buffered)
        {
            end -= _buffered;
            _buffered = 0;
            Fill();
        }
        int rest = _buffered - (int)end;
        _buffer.AsSpan((int)end, rest).CopyTo(_buffer);
        _buffered = rest;
        return status;
    }

    public void Dispose() => _socket.Dispose();

    private void Fill()
    {
        int read = _socket.Receive(_buffer, _buffered, _buffer.Length - _buffered, SocketFlags.None);
        if (read == 0)
        {
            throw new IOException(_buffered == 0 ? "the server closed the connection" : "the server closed the connection mid-response");
        }
        _buffered += read;
    }
}
