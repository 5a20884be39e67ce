using System.Net.Sockets;
using System.Runtime.InteropServices;
using Meshy.Engine.Runtime;

namespace Meshy.Engine.Transport;

/// <summary>
/// An epoll set and the thread that waits on it: Meshy's own socket engine on Linux. Each registered
/// socket is edge-triggered for both directions; an event wakes that socket's waiters, which retry their
/// system call. The runtime's engine costs one extra <c>recv</c> per message (it probes with a 1-byte peek
/// that fails with EAGAIN before it waits); here a receive that returned less than its buffer is known to
/// have drained the socket, so the next one waits for an event without asking the kernel first. Where
/// io_uring answers, the receives a turn's events allow are made in one call (<see cref="ReceiveBatch"/>), and
/// so are the sends its work made, before the engine waits again (<see cref="SendBatch"/>).
/// </summary>
/// <remarks>
/// With inline completions (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, which <c>meshy</c> sets) there
/// is one engine per core and continuations run on its thread, as the runtime does; otherwise one engine
/// serves everything and continuations go to the thread pool. Sockets are found by a slot index and a
/// generation in the event's data, so an event of a closed socket never reaches the next one in its slot.
/// </remarks>
internal sealed unsafe class EpollEngine
{
    private const int MaxEvents = 1024;
    private const uint RingEntries = 1024;
    private const uint FallbackRingEntries = 128;

    private static readonly Lazy<EpollEngine[]> Engines = new(CreateEngines);
    private static int _nextEngine;

    [ThreadStatic]
    private static EpollEngine? _current;

    // Work deferred to the end of this turn's events (engine thread only, so no lock).
    private readonly Queue<IThreadPoolWorkItem> _afterEvents = new();

    private readonly int _epoll;
    private readonly Lock _slotsLock = new();
    private EpollSocketChannel?[] _slots = new EpollSocketChannel?[64];
    private readonly Stack<int> _freeSlots = new();
    private int _usedSlots;
    private uint _generation;

    private EpollEngine(int index)
    {
        _epoll = EpollInterop.EpollCreate(EpollInterop.EpollCloExec);
        if (_epoll < 0)
        {
            throw new SocketException((int)EpollInterop.ToSocketError(Marshal.GetLastPInvokeError()));
        }
        var thread = new Thread(Run)
        {
            IsBackground = true,
            Name = $"meshy-epoll-{index}",
        };
        thread.UnsafeStart();
    }

    /// <summary>Whether continuations run on the engine's thread (see remarks).</summary>
    public static bool InlineCompletions { get; } =
        Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1";

    /// <summary>The engine for the next socket: round robin over all engines.</summary>
    public static EpollEngine Next()
    {
        EpollEngine[] engines = Engines.Value;
        return engines.Length == 1 ? engines[0] : engines[(uint)Interlocked.Increment(ref _nextEngine) % (uint)engines.Length];
    }

    /// <summary>
    /// On an engine's thread, queues <paramref name="work"/> to run there once every event of this turn was
    /// handled, and returns true; elsewhere returns false.
    /// </summary>
    /// <remarks>
    /// For work that should see everything a turn's events produced: the HTTP/2 output flush gathers the
    /// frames of every stream answered in the turn, a mirror batch every copy made in it.
    /// </remarks>
    private static bool TryQueueAfterEvents(IThreadPoolWorkItem work)
    {
        if (_current is not { } engine)
        {
            return false;
        }
        engine._afterEvents.Enqueue(work);
        return true;
    }

    /// <summary>
    /// Runs <paramref name="work"/> after this turn's events on an engine's thread, else on the thread pool's
    /// global queue (behind the work already there).
    /// </summary>
    public static void QueueAfterEvents(IThreadPoolWorkItem work)
    {
        if (!TryQueueAfterEvents(work))
        {
            ThreadPool.UnsafeQueueUserWorkItem(work, preferLocal: false);
        }
    }

    /// <summary>Adds <paramref name="channel"/> to the set; events for it start now (one at once if already readable).</summary>
    public void Register(EpollSocketChannel channel)
    {
        ulong token = Reserve(channel);
        channel.Token = token;
        byte* epollEvent = stackalloc byte[16];
        *(uint*)epollEvent = EpollInterop.EpollIn | EpollInterop.EpollPri | EpollInterop.EpollOut | EpollInterop.EpollRdHup | EpollInterop.EpollEdgeTriggered;
        *(ulong*)(epollEvent + EpollInterop.EventDataOffset) = token;
        if (EpollInterop.EpollControl(_epoll, EpollInterop.EpollCtlAdd, channel.Socket.SafeHandle, epollEvent) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Release(token);
            throw new SocketException((int)EpollInterop.ToSocketError(errno));
        }
    }

    /// <summary>Forgets <paramref name="channel"/>: late events for it are dropped. Closing the socket removes it from the set.</summary>
    public void Unregister(EpollSocketChannel channel) => Release(channel.Token);

    private ulong Reserve(EpollSocketChannel channel)
    {
        lock (_slotsLock)
        {
            int slot;
            if (_freeSlots.Count > 0)
            {
                slot = _freeSlots.Pop();
            }
            else
            {
                if (_usedSlots == _slots.Length)
                {
                    // Readers index the array without the lock: publish a grown copy, never mutate in place.
                    var grown = new EpollSocketChannel?[_slots.Length * 2];
                    Array.Copy(_slots, grown, _slots.Length);
                    Volatile.Write(ref _slots, grown);
                }
                slot = _usedSlots++;
            }
            Volatile.Write(ref _slots[slot], channel);
            return ((ulong)++_generation << 32) | (uint)slot;
        }
    }

    private void Release(ulong token)
    {
        int slot = (int)(uint)token;
        lock (_slotsLock)
        {
            if (_slots[slot] is { } current && current.Token == token)
            {
                Volatile.Write(ref _slots[slot], null);
                _freeSlots.Push(slot);
            }
        }
    }

    private void Run()
    {
        int eventSize = EpollInterop.EventSize;
        int dataOffset = EpollInterop.EventDataOffset;
        byte* events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * eventSize));
        bool inline = InlineCompletions;
        if (inline)
        {
            // Continuations run here, so what they defer runs here too.
            _current = this;
        }
        // Nothing here has an execution context worth flowing (the thread starts with none, and Meshy uses no
        // AsyncLocal), but async methods suspended on this thread would otherwise capture the default context
        // and resume through ExecutionContext.Run on every completion. Never undone: the thread runs for good.
        ExecutionContext.SuppressFlow();
        // Every receive here rents a block and most consumers return it here: keep a few without the pool's lock.
        BlockMemoryPool.UseThreadCache();
        TurnClock.UseOnThisThread();
        // Where io_uring answers, a turn's receives go to the kernel in one call (see ReceiveBatch), and so do the
        // sends its work makes where that work runs here (see SendBatch).
        // A smaller ring where the large one is refused (kernels before 5.12 count ring memory against RLIMIT_MEMLOCK).
        string? setting = Environment.GetEnvironmentVariable(IoUring.EnvironmentVariable);
        IoUring? ring = IoUring.TryCreate(RingEntries, setting) ?? IoUring.TryCreate(FallbackRingEntries, setting);
        ReceiveBatch? batch = ring is null ? null : new ReceiveBatch(ring, MaxEvents);
        SendBatch? sends = ring is not null && inline ? new SendBatch(ring) : null;
        SendBatch.Current = sends;
        var turnChannels = new EpollSocketChannel?[batch is null ? 0 : MaxEvents];
        var turnEvents = new uint[turnChannels.Length];
        while (true)
        {
            // Work left from the last turn: look for events without sleeping, then run it.
            int count = EpollInterop.EpollWait(_epoll, events, MaxEvents, _afterEvents.Count > 0 ? 0 : -1);
            if (count < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == EpollInterop.EIntr)
                {
                    continue;
                }
                Environment.FailFast($"epoll_wait failed with errno {errno}");
            }
            TurnClock.BeginTurn();
            EpollSocketChannel?[] slots = Volatile.Read(ref _slots);
            for (int i = 0; i < count; i++)
            {
                byte* epollEvent = events + (i * eventSize);
                uint flags = *(uint*)epollEvent;
                ulong token = *(ulong*)(epollEvent + dataOffset);
                int slot = (int)(uint)token;
                EpollSocketChannel? channel = (uint)slot < (uint)slots.Length && Volatile.Read(ref slots[slot]) is { } found && found.Token == token ? found : null;
                if (batch is not null)
                {
                    turnChannels[i] = channel;
                    turnEvents[i] = flags;
                }
                else
                {
                    channel?.OnEvents(flags, wakeAsynchronously: !inline);
                }
            }
            if (batch is not null)
            {
                batch.Dispatch(turnChannels.AsSpan(0, count), turnEvents.AsSpan(0, count), wakeAsynchronously: !inline);
                Array.Clear(turnChannels, 0, count);
            }
            // Only the work queued by now: what it queues in turn (a flush that finds more to send) waits for
            // the next turn, so a busy stream cannot keep every other socket of this engine from its events.
            for (int queued = _afterEvents.Count; queued > 0 && _afterEvents.TryDequeue(out IThreadPoolWorkItem? work); queued--)
            {
                work.Execute();
            }
            // The turn's sends go before the next wait: the peers are waiting for them.
            sends?.Flush();
        }
    }

    private static EpollEngine[] CreateEngines()
    {
        // As the runtime's own engine: one per core when continuations run inline, else one for all.
        int count = InlineCompletions ? Environment.ProcessorCount : 1;
        var engines = new EpollEngine[count];
        for (int i = 0; i < count; i++)
        {
            engines[i] = new EpollEngine(i);
        }
        return engines;
    }
}
