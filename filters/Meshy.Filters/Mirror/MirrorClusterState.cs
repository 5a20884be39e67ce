namespace Meshy.Filters.Mirror;

/// <summary>
/// Live mirroring state of one mirror cluster, by name, for the life of the process (so counters and the
/// copies in flight survive reloads): the outcome counters exported at scrape time, the number of
/// copies in flight against the cluster's bound, and the idle <see cref="MirrorRequest"/> workers.
/// </summary>
internal sealed class MirrorClusterState(string name, MirrorRegistry registry)
{
    /// <summary>Idle workers kept for reuse; more are dropped when they come back.</summary>
    private const int MaxIdleWorkers = 64;

    private readonly Lock _lock = new();
    private MirrorRequest[] _idle = new MirrorRequest[4];
    private int _idleCount;
    private int _inFlight;
    private long _sent;
    private long _failed;
    private long _abandoned;
    private long _skipped;

    /// <summary>The mirror cluster's name.</summary>
    public string Name { get; } = name;

    /// <summary>Copies in flight now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Copies counted as <paramref name="result"/> so far.</summary>
    public long Count(MirrorResult result) => result switch
    {
        MirrorResult.Sent => Interlocked.Read(ref _sent),
        MirrorResult.Failed => Interlocked.Read(ref _failed),
        MirrorResult.Abandoned => Interlocked.Read(ref _abandoned),
        _ => Interlocked.Read(ref _skipped),
    };

    /// <summary>Counts one copy's outcome.</summary>
    public void Record(MirrorResult result)
    {
        switch (result)
        {
            case MirrorResult.Sent:
                Interlocked.Increment(ref _sent);
                break;
            case MirrorResult.Failed:
                Interlocked.Increment(ref _failed);
                break;
            case MirrorResult.Abandoned:
                Interlocked.Increment(ref _abandoned);
                break;
            default:
                Interlocked.Increment(ref _skipped);
                break;
        }
    }

    /// <summary>Takes a slot for one more copy in flight; false when <paramref name="max"/> are already in flight.</summary>
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

    /// <summary>Gives back the slot of <see cref="TryEnter"/>.</summary>
    public void Exit() => Interlocked.Decrement(ref _inFlight);

    /// <summary>An idle worker, or a new one.</summary>
    public MirrorRequest Rent()
    {
        lock (_lock)
        {
            if (_idleCount > 0)
            {
                MirrorRequest worker = _idle[--_idleCount];
                _idle[_idleCount] = null!;
                return worker;
            }
        }
        return new MirrorRequest(registry, this);
    }

    /// <summary>Takes back a worker whose copy is over on both sides.</summary>
    public void Return(MirrorRequest worker)
    {
        lock (_lock)
        {
            if (_idleCount < MaxIdleWorkers)
            {
                if (_idleCount == _idle.Length)
                {
                    Array.Resize(ref _idle, _idle.Length * 2);
                }
                _idle[_idleCount++] = worker;
                return;
            }
        }
        worker.Dispose();
    }
}
