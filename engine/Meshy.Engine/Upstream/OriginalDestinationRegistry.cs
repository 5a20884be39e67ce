using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Net;

namespace Meshy.Engine.Upstream;

/// <summary>
/// The ad-hoc endpoints of <see cref="PassthroughCluster"/>: one <see cref="EndpointSnapshot"/> per original
/// destination, created on first use and kept while it is used, so requests to the same address share its
/// <see cref="EndpointState"/> and therefore its pooled connections. Bounded: an entry idle (no request in
/// flight, no open connection) for <see cref="IdleExpiry"/> is forgotten, and past <see cref="Capacity"/>
/// entries a destination gets an endpoint that is not kept.
/// </summary>
/// <remarks>
/// A sidecar may talk to thousands of addresses over its life; without expiry every one would stay here
/// forever. The sweep runs on the insertion path (a destination seen for the first time) at most once per
/// <see cref="SweepInterval"/>, so the steady state (known destinations) is one lock-free lookup and no
/// timer is needed; <see cref="Sweep"/> may also be called directly.
/// </remarks>
public sealed class OriginalDestinationRegistry(TimeProvider? time = null, TimeSpan? idleExpiry = null, int capacity = OriginalDestinationRegistry.DefaultCapacity)
{
    /// <summary>Destinations kept at most by default.</summary>
    public const int DefaultCapacity = 10_000;

    /// <summary>How long an unused destination is kept by default: the pools' default <c>idle_timeout</c>, so it goes with its last idle connection.</summary>
    public static readonly TimeSpan DefaultIdleExpiry = TimeSpan.FromSeconds(60);

    /// <summary>How often at most the insertion path sweeps.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<IPEndPoint, Entry> _entries = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private int _count;
    private long _lastSweep = (time ?? TimeProvider.System).GetTimestamp();

    /// <summary>How long an unused destination is kept.</summary>
    public TimeSpan IdleExpiry { get; } = idleExpiry ?? DefaultIdleExpiry;

    /// <summary>Destinations kept at most.</summary>
    public int Capacity { get; } = capacity;

    /// <summary>Destinations currently kept.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// The endpoint of <paramref name="destination"/>: the kept one, else a new one (kept when there is room).
    /// Allocates only for a destination not seen before (or not kept). <paramref name="kept"/> is false for an
    /// endpoint made for this request alone (the registry is full): its connections should not be pooled,
    /// since no later request will find them.
    /// </summary>
    public EndpointSnapshot Get(IPEndPoint destination, out bool kept)
    {
        long now = _time.GetTimestamp();
        kept = true;
        if (_entries.TryGetValue(destination, out Entry? entry))
        {
            Volatile.Write(ref entry.LastUsed, now);
            return entry.Endpoint;
        }
        return Add(destination, now, ref kept);
    }

    /// <summary>Forgets every destination unused for <see cref="IdleExpiry"/>; returns how many were forgotten.</summary>
    public int Sweep()
    {
        long now = _time.GetTimestamp();
        Volatile.Write(ref _lastSweep, now);
        int removed = 0;
        foreach (KeyValuePair<IPEndPoint, Entry> pair in _entries)
        {
            Entry entry = pair.Value;
            EndpointState state = entry.Endpoint.State;
            // In use (a request in flight, or a connection still open, pooled or lent): keep it, so the pool
            // it shares with later requests stays the same one.
            if (state.ActiveRequests > 0 || state.ActiveConnections > 0
                || _time.GetElapsedTime(Volatile.Read(ref entry.LastUsed), now) < IdleExpiry)
            {
                continue;
            }
            if (_entries.TryRemove(pair))
            {
                Interlocked.Decrement(ref _count);
                removed++;
            }
        }
        return removed;
    }

    private EndpointSnapshot Add(IPEndPoint destination, long now, ref bool kept)
    {
        if (_time.GetElapsedTime(Volatile.Read(ref _lastSweep), now) >= SweepInterval)
        {
            Sweep();
        }
        EndpointSnapshot endpoint = Create(destination);
        if (Volatile.Read(ref _count) >= Capacity)
        {
            // Full of destinations in use: this one still gets through, on connections of its own.
            kept = false;
            return endpoint;
        }
        var created = new Entry(endpoint, now);
        Entry entry = _entries.GetOrAdd(destination, created);
        if (ReferenceEquals(entry, created))
        {
            Interlocked.Increment(ref _count);
        }
        return entry.Endpoint;
    }

    private static EndpointSnapshot Create(IPEndPoint destination)
    {
        string address = destination.ToString();
        return new EndpointSnapshot
        {
            Address = address,
            EndPoint = destination,
            Labels = FrozenDictionary<string, string>.Empty,
            State = new EndpointState(PassthroughCluster.Name, address),
        };
    }

    private sealed class Entry(EndpointSnapshot endpoint, long lastUsed)
    {
        public readonly EndpointSnapshot Endpoint = endpoint;

        /// <summary>When a request last asked for it, in <see cref="TimeProvider.GetTimestamp"/> units.</summary>
        public long LastUsed = lastUsed;
    }
}
