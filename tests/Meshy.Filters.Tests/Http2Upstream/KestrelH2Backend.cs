using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.Tests.Http2Upstream;

/// <summary>
/// A real HTTP/2-only (h2c prior knowledge) Kestrel backend on loopback, counting the connections it accepted:
/// <c>/hello</c> answers its protocol, <c>/hash</c> the SHA-256 of the request body, <c>/trailers</c> a body
/// and a <c>x-checksum</c> trailer, <c>/request-trailers</c> the body and its <c>x-sum</c> trailer, <c>/slow</c> after a short delay (to hold streams open).
/// <c>/echo/...</c> answers its path and its <c>x-token</c> and <c>x-group</c> fields (body and fields), <c>/hash-trailer</c> the
/// body's length, SHA-256 and <c>x-sum</c> trailer, and <c>/hang</c> (any prefix) never answers and <c>/drip</c> sends a first
/// body part, then more every few milliseconds: both hold their stream until the client side resets it, counted in <see cref="Held"/> and <see cref="Reset"/>.
/// </summary>
internal sealed class KestrelH2Backend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _connections;
    private int _requests;
    private int _held;
    private int _reset;

    private KestrelH2Backend(WebApplication app)
    {
        _app = app;
    }

    /// <summary>The bound address.</summary>
    public IPEndPoint EndPoint { get; private set; } = null!;

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Requests served so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Requests in <c>/hang</c> or <c>/drip</c> right now.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary><c>/hang</c> and <c>/drip</c> requests ended by a reset from the proxy (RequestAborted).</summary>
    public int Reset => Volatile.Read(ref _reset);

    /// <summary>Starts a backend on <paramref name="port"/> (0: any free port).</summary>
    public static async Task<KestrelH2Backend> StartAsync(int port = 0)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        KestrelH2Backend? backend = null;
        builder.WebHost.ConfigureKestrel(options =>
        {
            options.Limits.MaxRequestBodySize = null;
            options.Listen(IPAddress.Loopback, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.Use(next => async context =>
                {
                    Interlocked.Increment(ref backend!._connections);
                    await next(context);
                });
            });
        });
        WebApplication app = builder.Build();
        backend = new KestrelH2Backend(app);
        app.Run(backend.HandleAsync);
        await app.StartAsync();
        var address = new Uri(app.Urls.First());
        backend.EndPoint = new IPEndPoint(IPAddress.Loopback, address.Port);
        return backend;
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        HttpResponse response = context.Response;
        string path = context.Request.Path.Value ?? "";
        if (path.StartsWith("/echo/", StringComparison.Ordinal))
        {
            string token = context.Request.Headers["x-token"].ToString();
            string group = context.Request.Headers["x-group"].ToString();
            byte[] echo = System.Text.Encoding.ASCII.GetBytes($"{path}|{token}|{group}");
            response.Headers["x-echo-path"] = path;
            response.Headers["x-echo-token"] = token;
            response.ContentLength = echo.Length;
            await response.Body.WriteAsync(echo);
            return;
        }
        if (path.EndsWith("/hang", StringComparison.Ordinal) || path == "/drip")
        {
            await HoldUntilResetAsync(context, drip: path == "/drip");
            return;
        }
        switch (path)
        {
            case "/hash":
                using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                {
                    byte[] buffer = new byte[64 * 1024];
                    long total = 0;
                    int read;
                    while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
                    {
                        sha.AppendData(buffer, 0, read);
                        total += read;
                    }
                    await response.WriteAsync($"{total} {Convert.ToHexString(sha.GetHashAndReset())}");
                }
                break;
            case "/request-trailers":
                string text = await new StreamReader(context.Request.Body).ReadToEndAsync();
                response.ContentLength = null;
                await response.WriteAsync($"{text} x-sum={context.Request.GetTrailer("x-sum")}");
                break;
            case "/hash-trailer":
                using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                {
                    byte[] buffer = new byte[64 * 1024];
                    long total = 0;
                    int read;
                    while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
                    {
                        sha.AppendData(buffer, 0, read);
                        total += read;
                    }
                    string trailer = context.Request.SupportsTrailers() && context.Request.CheckTrailersAvailable()
                        ? context.Request.GetTrailer("x-sum").ToString() : "";
                    byte[] answer = System.Text.Encoding.ASCII.GetBytes($"{total} {Convert.ToHexString(sha.GetHashAndReset())} x-sum={trailer}");
                    response.ContentLength = answer.Length;
                    await response.Body.WriteAsync(answer);
                }
                break;
            case "/trailers":
                response.DeclareTrailer("x-checksum");
                await response.WriteAsync("body with trailers");
                response.AppendTrailer("x-checksum", "abc123");
                break;
            case "/slow":
                await Task.Delay(100);
                await response.WriteAsync("slow");
                break;
            default:
                response.Headers["x-backend-protocol"] = context.Request.Protocol;
                response.Headers["x-seen-te"] = context.Request.Headers.TE.ToString();
                await response.WriteAsync($"hello {context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
                break;
        }
    }

    /// <summary>Holds the stream (after a first body part for <c>/drip</c>) until the proxy resets it.</summary>
    private async Task HoldUntilResetAsync(HttpContext context, bool drip)
    {
        Interlocked.Increment(ref _held);
        try
        {
            if (!drip)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            await context.Response.WriteAsync("first part;", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            // DATA keeps coming until the reset, so frames for the reset stream cross it on the wire
            while (true)
            {
                await Task.Delay(5, context.RequestAborted);
                await context.Response.WriteAsync("more;", context.RequestAborted);
            }
        }
        catch (Exception ex) when ((ex is OperationCanceledException or IOException) && context.RequestAborted.IsCancellationRequested)
        {
            Interlocked.Increment(ref _reset);
        }
        finally
        {
            Interlocked.Decrement(ref _held);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
