namespace Meshy.Filters.Router;

/// <summary>
/// The retries in flight to one cluster (<c>limits.max_retries</c>, Envoy's circuit breaker of the same
/// name): a retry takes a slot when it is decided and gives it back when its request got a response head
/// or failed for good. Kept by cluster name in the router, so it survives reloads.
/// </summary>
internal sealed class RetryBudget
{
    private int _inFlight;

    /// <summary>Retries in flight now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Takes a slot when fewer than <paramref name="max"/> are taken.</summary>
    public bool TryEnter(int max)
    {
        while (true)
        {
            int current = Volatile.Read(ref _inFlight);
            if (current >= max)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _inFlight, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Gives a slot back.</summary>
    public void Exit() => Interlocked.Decrement(ref _inFlight);
}
