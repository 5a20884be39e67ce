using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;
using Meshy.Engine.Runtime;
using Microsoft.Extensions.Logging;

namespace Meshy.Engine.Transport;

/// <summary>
/// Runs the proxy listeners of the current snapshot. <see cref="ApplyAsync"/> reconciles them with a
/// new snapshot (start, keep, rebind, drain); <see cref="DrainAllAsync"/> ends them all on shutdown.
/// </summary>
public sealed partial class ListenerManager : IAsyncDisposable
{
    private readonly SnapshotHolder _holder;
    private readonly PipeOptionsFactory _pipes;
    private readonly ConnectionTracker _tracker;
    private readonly ILogger<ListenerManager> _logger;
    private readonly TimeProvider _time;
    // One reconciliation at a time; DrainAllAsync takes it too so it never races a reload.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, SocketListener> _running = new(StringComparer.Ordinal);
    private readonly Lock _drainsLock = new();
    private readonly Dictionary<SocketListener, Task> _drains = [];
    private FrozenDictionary<string, IPEndPoint> _listening = FrozenDictionary<string, IPEndPoint>.Empty;
    private long _connectionsCut;
    private volatile bool _draining;

    /// <summary>Creates a manager with no listener; <paramref name="time"/> defaults to the system clock.</summary>
    public ListenerManager(
        SnapshotHolder holder,
        PipeOptionsFactory pipes,
        ConnectionTracker tracker,
        ILogger<ListenerManager> logger,
        TimeProvider? time = null)
    {
        _holder = holder;
        _pipes = pipes;
        _tracker = tracker;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The bound address of every accepting listener, by name (with port 0 configured, the real port).</summary>
    public IReadOnlyDictionary<string, IPEndPoint> Listening => Volatile.Read(ref _listening);

    /// <summary>True once <see cref="DrainAllAsync"/> has begun: nothing is accepted any more.</summary>
    public bool Draining => _draining;

    /// <summary>The connection counts and limit shared by every listener.</summary>
    public ConnectionTracker Connections => _tracker;

    /// <summary>Connections cut by drains (removed listeners and shutdown) since start.</summary>
    public long ConnectionsCut => Interlocked.Read(ref _connectionsCut);

    /// <summary>
    /// Reconciles the running listeners with <paramref name="snapshot"/>, which should already be
    /// published in the <see cref="SnapshotHolder"/>:
    /// <list type="number">
    /// <item>a listener gone from the snapshot stops accepting at once and drains in the background
    /// (<c>Draining</c> now, <c>Closing</c> after <c>runtime.drain_timeout</c>);</item>
    /// <item>a listener that can keep its socket (<see cref="ListenerSnapshot.CanReuseSocketOf"/>) keeps it;</item>
    /// <item>a listener whose address changed is bound anew, then the old socket drains (on the same
    /// address the old socket closes first, since two listening sockets cannot share it);</item>
    /// <item>a new listener is bound.</item>
    /// </list>
    /// </summary>
    /// <exception cref="ListenerBindException">Some listeners could not be bound; the rest was applied.</exception>
    public async Task ApplyAsync(ProxySnapshot snapshot, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_draining)
            {
                LogApplyWhileDraining(snapshot.Source);
                return;
            }
            TimeSpan drainTimeout = snapshot.Runtime.DrainTimeout;
            List<ListenerBindFailure>? failures = null;

            // 1. Removed listeners free their addresses before anything binds.
            HashSet<string> wanted = new(StringComparer.Ordinal);
            foreach (ListenerSnapshot listener in snapshot.Listeners)
            {
                wanted.Add(listener.Name);
            }
            foreach (SocketListener running in _running.Values.ToArray())
            {
                if (!wanted.Contains(running.Name))
                {
                    _running.Remove(running.Name);
                    BeginDrain(running, drainTimeout);
                }
            }

            foreach (ListenerSnapshot next in snapshot.Listeners)
            {
                if (!_running.TryGetValue(next.Name, out SocketListener? current))
                {
                    // 4. New listener.
                    if (TryStart(snapshot, next, ref failures) is { } started)
                    {
                        _running[next.Name] = started;
                    }
                    continue;
                }
                if (next.CanReuseSocketOf(current.Listener))
                {
                    // 2. Same socket, possibly new filters: connections accepted from now on read the new snapshot.
                    current.Update(snapshot, next);
                    LogKept(next.Name, current.LocalEndPoint);
                    continue;
                }
                // 3. Rebind.
                LogRebinding(next.Name, current.Listener.EndPoint, next.EndPoint);
                if (next.EndPoint.Equals(current.Listener.EndPoint))
                {
                    _running.Remove(next.Name);
                    BeginDrain(current, drainTimeout);
                    if (TryStart(snapshot, next, ref failures) is { } rebound)
                    {
                        _running[next.Name] = rebound;
                    }
                }
                else if (TryStart(snapshot, next, ref failures) is { } moved)
                {
                    _running[next.Name] = moved;
                    BeginDrain(current, drainTimeout);
                }
            }

            PublishListening();
            if (failures is not null)
            {
                throw new ListenerBindException(failures);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Shutdown (SIGTERM, SIGINT): stops accepting on every listener at once, lets connections finish
    /// for up to <paramref name="timeout"/>, then cuts the rest. Returns how many connections were cut.
    /// Listeners already draining after a reload are included.
    /// </summary>
    public async Task<int> DrainAllAsync(TimeSpan timeout)
    {
        _draining = true;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            List<SocketListener> all = [.. _running.Values];
            _running.Clear();
            PublishListening();
            lock (_drainsLock)
            {
                all.AddRange(_drains.Keys);
            }
            // Refuse new connections everywhere before waiting on any of them.
            foreach (SocketListener listener in all)
            {
                listener.StopAccepting();
            }
            var drains = new Task<int>[all.Count];
            for (int i = 0; i < all.Count; i++)
            {
                drains[i] = all[i].DrainAsync(timeout);
            }
            int cut = 0;
            foreach (int count in await Task.WhenAll(drains).ConfigureAwait(false))
            {
                cut += count;
            }
            Interlocked.Add(ref _connectionsCut, cut);
            await WaitForDrainsAsync().ConfigureAwait(false);
            return cut;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Completes when every listener removed or rebound by a reload has finished draining.</summary>
    public Task WaitForDrainsAsync()
    {
        lock (_drainsLock)
        {
            return Task.WhenAll(_drains.Values);
        }
    }

    /// <summary>Drains with no grace: every connection is cut at once.</summary>
    public async ValueTask DisposeAsync() => await DrainAllAsync(TimeSpan.Zero).ConfigureAwait(false);

    private SocketListener? TryStart(ProxySnapshot snapshot, ListenerSnapshot listener, ref List<ListenerBindFailure>? failures)
    {
        var socketListener = new SocketListener(listener, snapshot, _holder, _pipes, _tracker, _logger, _time);
        try
        {
            socketListener.Start();
            return socketListener;
        }
        catch (SocketException ex)
        {
            var failure = new ListenerBindFailure(listener.Name, listener.EndPoint, ex.SocketErrorCode, ex.Message);
            LogBindFailed(failure.ToString());
            (failures ??= []).Add(failure);
            return null;
        }
    }

    private void BeginDrain(SocketListener listener, TimeSpan timeout)
    {
        // The socket closes now, synchronously: a reload that removes a listener refuses its next
        // connection, not one after the drain.
        listener.StopAccepting();
        lock (_drainsLock)
        {
            _drains[listener] = DrainInBackgroundAsync(listener, timeout);
        }
    }

    private async Task DrainInBackgroundAsync(SocketListener listener, TimeSpan timeout)
    {
        // Yield so that the caller registers this task before it can complete and unregister itself.
        await Task.Yield();
        int cut = await listener.DrainAsync(timeout).ConfigureAwait(false);
        Interlocked.Add(ref _connectionsCut, cut);
        lock (_drainsLock)
        {
            _drains.Remove(listener);
        }
    }

    private void PublishListening()
    {
        var listening = new Dictionary<string, IPEndPoint>(StringComparer.Ordinal);
        foreach (SocketListener listener in _running.Values)
        {
            listening[listener.Name] = listener.LocalEndPoint;
        }
        Volatile.Write(ref _listening, listening.ToFrozenDictionary(StringComparer.Ordinal));
    }
}
