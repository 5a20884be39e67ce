using System.Diagnostics;
using System.Net;

namespace Meshy.Cli.Demo;

/// <summary>Sends the tour's requests through the proxy with HttpClient, a given number at a time.</summary>
internal sealed class DemoTraffic(IPEndPoint proxy, DemoProgress progress) : IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        MaxConnectionsPerServer = 64,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5),
    })
    {
        BaseAddress = new Uri($"http://{proxy}/"),
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>
    /// <paramref name="count"/> GETs of <c>/</c>, at most <paramref name="concurrency"/> in flight, in
    /// order of completion; <paramref name="userAgent"/> sets the header when given.
    /// </summary>
    public async Task<DemoReply[]> SendAsync(int count, int concurrency, CancellationToken cancellationToken, string? userAgent = null)
    {
        var replies = new DemoReply[count];
        int next = -1;
        int done = 0;
        async Task WorkerAsync()
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < count)
            {
                replies[index] = await SendOneAsync(userAgent, cancellationToken).ConfigureAwait(false);
                progress.Requests(Interlocked.Increment(ref done), count);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, count)).Select(_ => WorkerAsync())).ConfigureAwait(false);
        return replies;
    }

    private async Task<DemoReply> SendOneAsync(string? userAgent, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        if (userAgent is not null)
        {
            request.Headers.TryAddWithoutValidation("user-agent", userAgent);
        }
        long started = Stopwatch.GetTimestamp();
        try
        {
            using HttpResponseMessage response = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            string? version = response.Headers.TryGetValues(DemoBackend.VersionHeader, out IEnumerable<string>? values) ? values.FirstOrDefault() : null;
            return new DemoReply((int)response.StatusCode, version, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new DemoReply(0, null, Stopwatch.GetElapsedTime(started));
        }
    }

    public void Dispose() => _client.Dispose();
}
