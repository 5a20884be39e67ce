using Meshy.Engine.Logging;
using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Meshy.Engine.Admin;

/// <summary>
/// The admin endpoint (<c>[admin] address</c>): a small HTTP/1.1 server of Meshy's own that answers
/// one request per connection (<c>Connection: close</c>). It is off the data path, so clarity wins
/// over speed here; it stays up while the proxy drains so <c>/ready</c> can say 503.
/// </summary>
public sealed partial class AdminServer : IAsyncDisposable
{
    private const int MaxHeadBytes = 16 * 1024;
    private const int MaxBodyBytes = 1024 * 1024;
    private static readonly TimeSpan RequestReadTimeout = TimeSpan.FromSeconds(10);

    private readonly IReadOnlyList<AdminRoute> _routes;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _listenSocket;
    private Task _acceptLoop = Task.CompletedTask;
    private int _disposed;

    public AdminServer(IEnumerable<AdminRoute> routes, ILogger<AdminServer> logger)
    {
        _routes = routes.ToList();
        _logger = logger;
    }

    /// <summary>The bound address (the real port when configured with port 0).</summary>
    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>Binds and starts serving.</summary>
    public void Start(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endPoint);
            socket.Listen(128);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        _listenSocket = socket;
        EndPoint = (IPEndPoint)socket.LocalEndPoint!;
        LogListening(EndPoint);
        _acceptLoop = AcceptLoopAsync(socket);
    }

    private async Task AcceptLoopAsync(Socket listenSocket)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listenSocket.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                LogAcceptFailed(ex.SocketErrorCode);
                continue;
            }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
        {
            timeout.CancelAfter(RequestReadTimeout);
            try
            {
                AdminResponse response = await ReadAndDispatchAsync(client, timeout.Token).ConfigureAwait(false);
                await WriteResponseAsync(client, response, timeout.Token).ConfigureAwait(false);
                client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException)
            {
                // The client went away or was too slow; nothing to answer.
            }
        }
    }

    private async Task<AdminResponse> ReadAndDispatchAsync(Socket client, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxHeadBytes);
        try
        {
            int filled = 0;
            int headEnd;
            while ((headEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (filled == buffer.Length)
                {
                    return AdminResponse.Text(431, "request head too large\n");
                }
                int read = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException("closed before the request head ended");
                }
                filled += read;
            }

            string head = Encoding.ASCII.GetString(buffer, 0, headEnd);
            string[] lines = head.Split("\r\n");
            string[] requestLine = lines[0].Split(' ');
            if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            {
                return AdminResponse.Text(400, "malformed request line\n");
            }
            int contentLength = 0;
            foreach (string line in lines.AsSpan(1))
            {
                int colon = line.IndexOf(':');
                if (colon > 0 && line.AsSpan(0, colon).Trim().Equals("content-length", StringComparison.OrdinalIgnoreCase)
                    && (!int.TryParse(line.AsSpan(colon + 1).Trim(), out contentLength) || contentLength is < 0 or > MaxBodyBytes))
                {
                    return AdminResponse.Text(400, "bad content-length\n");
                }
            }

            byte[] body = new byte[contentLength];
            int bodyStart = headEnd + 4;
            int already = Math.Min(filled - bodyStart, contentLength);
            buffer.AsSpan(bodyStart, already).CopyTo(body);
            while (already < contentLength)
            {
                int read = await client.ReceiveAsync(body.AsMemory(already), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException("closed before the request body ended");
                }
                already += read;
            }

            string target = requestLine[1];
            int question = target.IndexOf('?');
            string path = question < 0 ? target : target[..question];
            string query = question < 0 ? "" : target[(question + 1)..];
            return await DispatchAsync(new AdminRequest(requestLine[0], path, query, body), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask<AdminResponse> DispatchAsync(AdminRequest request, CancellationToken cancellationToken)
    {
        if (request.Path == "/" && request.Method == "GET")
        {
            return IndexPage();
        }
        bool pathKnown = false;
        foreach (AdminRoute route in _routes)
        {
            if (route.Path != request.Path)
            {
                continue;
            }
            pathKnown = true;
            if (route.Method == request.Method || (route.Method == "GET" && request.Method == "HEAD"))
            {
                try
                {
                    return await route.Handler(request, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogHandlerFailed(request.Method, request.Path, ex);
                    return AdminResponse.Text(500, $"{ex.Message}\n");
                }
            }
        }
        return pathKnown
            ? AdminResponse.Text(405, $"method {request.Method} not allowed on {request.Path}\n")
            : AdminResponse.Text(404, $"no admin endpoint {request.Path}; GET / lists them\n");
    }

    private AdminResponse IndexPage()
    {
        var text = new StringBuilder("Meshy admin\n\n");
        foreach (AdminRoute route in _routes)
        {
            text.Append(route.Method.PadRight(5)).Append(route.Path.PadRight(12)).Append(route.Description).Append('\n');
        }
        return AdminResponse.Text(200, text.ToString());
    }

    private static async Task WriteResponseAsync(Socket client, AdminResponse response, CancellationToken cancellationToken)
    {
        string head =
            $"HTTP/1.1 {response.Status} {ReasonPhrase(response.Status)}\r\n" +
            $"Content-Type: {response.ContentType}\r\n" +
            $"Content-Length: {response.Body.Length}\r\n" +
            "Connection: close\r\n\r\n";
        await client.SendAsync(Encoding.ASCII.GetBytes(head), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        if (!response.Body.IsEmpty)
        {
            await client.SendAsync(response.Body, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listenSocket?.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = EventIds.AdminListening, Level = LogLevel.Information, Message = "admin listening on {EndPoint}")]
    private partial void LogListening(IPEndPoint endPoint);

    [LoggerMessage(EventId = EventIds.AdminAcceptFailed, Level = LogLevel.Warning, Message = "admin accept failed: {Error}")]
    private partial void LogAcceptFailed(SocketError error);

    [LoggerMessage(EventId = EventIds.AdminHandlerFailed, Level = LogLevel.Error, Message = "admin {Method} {Path} failed")]
    private partial void LogHandlerFailed(string method, string path, Exception exception);
}
