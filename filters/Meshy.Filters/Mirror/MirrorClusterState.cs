using Meshy.Engine.Http;
using Meshy.Engine.Transport;
using Meshy.Filters.Router;

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
    private MirrorRequest? _openBatch;
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

    /// <summary>
    /// Adds a copy without a body to the batch this turn opened, when there is one for the same rule with
    /// room; else opens a new batch with it, which starts at the end of the turn.
    /// </summary>
    public void AddToBatch(MirrorSettings settings, HttpRequestHead request, RouteRule? rule, RouteMatch match)
    {
        lock (_lock)
        {
            if (_openBatch is { } open && open.TryAppend(settings, request, rule, match))
            {
                return;
            }
        }
        MirrorRequest batch = Rent();
        batch.Prepare(settings, request, body: null, rule, match);
        lock (_lock)
        {
            // A batch still open for another rule goes out as it is, at the end of the turn as queued.
            _openBatch = batch;
        }
        EpollEngine.QueueAfterEvents(batch);
    }

    /// <summary>The batch starts: copies after this go in a new one.</summary>
    public void CloseBatch(MirrorRequest batch)
    {
        lock (_lock)
        {
            if (_openBatch == batch)
            {
                _openBatch = null;
            }
        }
    }

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
