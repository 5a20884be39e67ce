using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.Tests.Grpc;

/// <summary>A real Grpc.AspNetCore server on Kestrel, HTTP/2 only (h2c prior knowledge), on loopback, serving <see cref="EchoService"/>.</summary>
internal sealed class GrpcEchoBackend : IAsyncDisposable
{
    private readonly TaskCompletionSource _slowCancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication _app = null!;
    private int _requests;

    private GrpcEchoBackend()
    {
    }

    /// <summary>The bound address.</summary>
    public IPEndPoint EndPoint { get; private set; } = null!;

    /// <summary>Requests that reached the backend so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Completes when a <c>Slow</c> call saw its cancellation (deadline or client reset).</summary>
    public Task SlowCancelled => _slowCancelled.Task;

    /// <summary>Starts a backend on any free loopback port.</summary>
    public static async Task<GrpcEchoBackend> StartAsync()
    {
        var backend = new GrpcEchoBackend();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options =>
            options.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(backend);
        WebApplication app = builder.Build();
        app.Use(async (context, next) =>
        {
            Interlocked.Increment(ref backend._requests);
            await next(context);
        });
        app.MapGrpcService<EchoService>();
        await app.StartAsync();
        backend._app = app;
        backend.EndPoint = new IPEndPoint(IPAddress.Loopback, new Uri(app.Urls.First()).Port);
        return backend;
    }

    internal void SlowCallCancelled() => _slowCancelled.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
