using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Meshy.Filters.Http1;

namespace Meshy.Cli.Demo;

/// <summary>
/// A small HTTP/1.1 service for the demo on 127.0.0.1 (port 0), on plain sockets and Meshy's own
/// request parser (the binary carries no web server). It answers <c>200</c> with its name as the body
/// and in <c>x-demo-version</c>, counts the requests it served, and has two switches the tour and the
/// user flip: fail (answer a 5xx) and slow (wait before answering).
/// </summary>
/// <remarks>
/// Control requests (not counted), by curl to the backend or through the proxy:
/// <code>
///   POST /admin/fail[?status=503]   answer every request with this status (default 503)
///   POST /admin/slow[?ms=1000]      wait this long before every answer (default 1000 ms)
///   POST /admin/heal                both switches off
///   GET  /admin/stats               name, requests served, switches
/// </code>
/// Request bodies with Content-Length are read and dropped; a chunked body gets 411 and a close.
/// </remarks>
internal sealed class DemoBackend : IAsyncDisposable
{
    /// <summary>The response header naming the version that answered.</summary>
    public const string VersionHeader = "x-demo-version";

    private readonly Socket _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;
    private long _requests;
    private int _failStatus;
    private int _delayMilliseconds;
    private string _lastHost = "";

    private DemoBackend(string name, Socket listener)
    {
        Name = name;
        _listener = listener;
        EndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The name it answers with: <c>v1</c>, <c>v2</c>, <c>v3</c>, <c>shadow</c>.</summary>
    public string Name { get; }

    /// <summary>Where it listens.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Requests served since start (control requests not counted).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>The Host header of the last request served (a mirrored copy's ends in <c>-shadow</c>).</summary>
    public string LastHost => Volatile.Read(ref _lastHost);

    /// <summary>The status every request gets while failing; 0 when healthy.</summary>
    public int FailStatus
    {
        get => Volatile.Read(ref _failStatus);
        set => Volatile.Write(ref _failStatus, value);
    }

    /// <summary>How long each answer waits; zero when not slowed.</summary>
    public TimeSpan Delay
    {
        get => TimeSpan.FromMilliseconds(Volatile.Read(ref _delayMilliseconds));
        set => Volatile.Write(ref _delayMilliseconds, (int)value.TotalMilliseconds);
    }

    /// <summary>Binds 127.0.0.1 port 0 and starts serving.</summary>
    public static DemoBackend Start(string name)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        return new DemoBackend(name, listener);
    }

    /// <summary>Both switches off.</summary>
    public void Heal()
    {
        FailStatus = 0;
        Delay = TimeSpan.Zero;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = ServeAsync(connection);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        socket.NoDelay = true;
        using var head = new Http1RequestHead();
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        PipeReader input = PipeReader.Create(stream);
        try
        {
            while (await ReadRequestAsync(input, head).ConfigureAwait(false) is { } request)
            {
                if (!await SkipBodyAsync(input, head.GetBodyFraming()).ConfigureAwait(false))
                {
                    await stream.WriteAsync(Response(411, "a chunked request body is not supported by the demo backend\n", keepAlive: false), _stopping.Token).ConfigureAwait(false);
                    return;
                }
                byte[] answer = await AnswerAsync(request).ConfigureAwait(false);
                await stream.WriteAsync(answer, _stopping.Token).ConfigureAwait(false);
                if (!request.KeepAlive)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or Http1ProtocolException)
        {
            // The peer left or sent garbage: this connection ends, the backend goes on.
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The next request head, or null when the peer closed between requests.</summary>
    private async Task<DemoRequest?> ReadRequestAsync(PipeReader input, Http1RequestHead head)
    {
        while (true)
        {
            ReadResult result = await input.ReadAsync(_stopping.Token).ConfigureAwait(false);
            if (TryParse(input, result, head) is { } request)
            {
                return request;
            }
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    private static DemoRequest? TryParse(PipeReader input, ReadResult result, Http1RequestHead head)
    {
        var reader = new SequenceReader<byte>(result.Buffer);
        bool done = Http1Parser.Default.TryParseRequestHead(ref reader, head);
        // Examined only up to the head when it is done: a pipelined request behind it is already buffered.
        input.AdvanceTo(done ? reader.Position : result.Buffer.Start, done ? reader.Position : result.Buffer.End);
        return done
            ? new DemoRequest(head.GetMethodString(), head.GetPathString(), head.GetQueryString(), head.GetHostString(), head.KeepAlive)
            : null;
    }

    /// <summary>Reads and drops a Content-Length body; false for a chunked one.</summary>
    private async Task<bool> SkipBodyAsync(PipeReader input, Http1BodyFraming framing)
    {
        if (framing.Kind == Http1BodyKind.Chunked)
        {
            return false;
        }
        long left = framing.Kind == Http1BodyKind.ContentLength ? framing.Length : 0;
        while (left > 0)
        {
            ReadResult result = await input.ReadAsync(_stopping.Token).ConfigureAwait(false);
            long take = Math.Min(left, result.Buffer.Length);
            input.AdvanceTo(result.Buffer.GetPosition(take));
            left -= take;
            if (left > 0 && result.IsCompleted)
            {
                throw new IOException("the request body ended early");
            }
        }
        return true;
    }

    private async Task<byte[]> AnswerAsync(DemoRequest request)
    {
        if (request.Path.StartsWith("/admin/", StringComparison.Ordinal))
        {
            return Control(request);
        }
        Interlocked.Increment(ref _requests);
        Volatile.Write(ref _lastHost, request.Host);
        TimeSpan delay = Delay;
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _stopping.Token).ConfigureAwait(false);
        }
        int failStatus = FailStatus;
        return failStatus != 0
            ? Response(failStatus, $"{Name} failing on purpose ({failStatus})\n", request.KeepAlive)
            : Response(200, Name + "\n", request.KeepAlive);
    }

    private byte[] Control(DemoRequest request)
    {
        switch (request.Method, request.Path)
        {
            case ("POST", "/admin/fail"):
                FailStatus = ParseOr(request.QueryValue("status"), 503, min: 500, max: 599);
                break;
            case ("POST", "/admin/slow"):
                Delay = TimeSpan.FromMilliseconds(ParseOr(request.QueryValue("ms"), 1000, min: 0, max: 60_000));
                break;
            case ("POST", "/admin/heal"):
                Heal();
                break;
            case ("GET", "/admin/stats"):
                break;
            default:
                return Response(404, "POST /admin/fail?status=503, POST /admin/slow?ms=1000, POST /admin/heal, GET /admin/stats\n", request.KeepAlive);
        }
        return Response(200, Describe() + "\n", request.KeepAlive);
    }

    /// <summary>One line: name, requests served, switches.</summary>
    public string Describe()
    {
        string fail = FailStatus == 0 ? "healthy" : $"failing with {FailStatus}";
        return string.Create(CultureInfo.InvariantCulture, $"{Name}: {Requests} requests served, {fail}, delay {Delay.TotalMilliseconds:0} ms");
    }

    private static int ParseOr(string? text, int fallback, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? Math.Clamp(value, min, max) : fallback;

    private byte[] Response(int status, string body, bool keepAlive)
    {
        string reason = status switch
        {
            200 => "OK",
            404 => "Not Found",
            411 => "Length Required",
            500 => "Internal Server Error",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            504 => "Gateway Timeout",
            _ => "Status",
        };
        string head = string.Create(CultureInfo.InvariantCulture,
            $"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain\r\n{VersionHeader}: {Name}\r\ncontent-length: {Encoding.UTF8.GetByteCount(body)}\r\n{(keepAlive ? "" : "connection: close\r\n")}\r\n");
        return Encoding.UTF8.GetBytes(head + body);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        _stopping.Dispose();
    }
}
