using System.Text;
using Meshy.Testing;

namespace Meshy.Filters.Tests.CircuitBreaking;

/// <summary>
/// A backend that holds every request until <see cref="Open"/> is called, then answers 200 with the target
/// (and answers at once from then on). Counts the requests that reached it.
/// </summary>
internal sealed class GatedUpstream : IAsyncDisposable
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived;

    public GatedUpstream()
    {
        Upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            await request.ReadBodyAsync();
            Interlocked.Increment(ref _arrived);
            await _open.Task.WaitAsync(cancellationToken);
            await request.RespondAsync(200, Encoding.ASCII.GetBytes(request.Head.Target), cancellationToken);
            return true;
        });
    }

    public FakeHttpUpstream Upstream { get; }

    /// <summary>Requests that reached the backend.</summary>
    public int Arrived => Volatile.Read(ref _arrived);

    public Task WaitForRequestsAsync(int count) =>
        Loopback.WaitUntilAsync(() => Arrived >= count, $"{count} requests reach the upstream");

    /// <summary>Answers every held request and every later one.</summary>
    public void Open() => _open.TrySetResult();

    public ValueTask DisposeAsync()
    {
        Open();
        return Upstream.DisposeAsync();
    }
}
