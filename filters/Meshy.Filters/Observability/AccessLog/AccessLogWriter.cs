using System.Numerics;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Meshy.Filters.Observability.AccessLog;

/// <summary>
/// Writes access-log lines to one sink (stdout, stderr or a file) off the request path: requests format
/// their line into a slot of a bounded ring of reusable buffers and return at once; a dedicated thread
/// writes the ring out in batches. When the ring is full the line is dropped and counted (<c>meshy_access_log_dropped_total</c>):
/// a slow disk, a full pipe or a FIFO nobody reads never delays a request.
/// </summary>
/// <remarks>
/// <para>
/// The sink is opened on the writer thread, not by the constructor: opening a FIFO blocks until a
/// reader appears, which must not block a reload. One writer per path for the life of the process;
/// snapshots whose <c>[access_log]</c> names the same path share it.
/// </para>
/// <para>
/// Hot path: a request claims a slot with one compare-and-swap (a bounded multi-producer queue, each slot
/// stamped with a sequence number, see <see cref="AccessLogLine"/>), writes its line into the slot's own
/// buffer (<see cref="TryClaim"/>) and publishes it (<see cref="Publish"/>). Nothing is allocated once each
/// slot has held a line. The writer thread is woken only when it said it is idle (<c>_idle</c>, at most one
/// wake-up per idle period); while lines keep coming it sleeps <see cref="BatchInterval"/> between batches
/// and writes what has gathered as one batch (one write to the sink per 64 KiB, one flush per batch).
/// </para>
/// <para>
/// Capacity: <see cref="DefaultCapacity"/> lines hold 80 ms of lines at 100,000 a second, 40 ms at 200,000:
/// four times <see cref="BatchInterval"/>, so a batch that takes as long again to write still drops nothing.
/// </para>
/// </remarks>
internal sealed partial class AccessLogWriter : IDisposable
{
    /// <summary>Lines buffered before new ones are dropped (see remarks for what that covers).</summary>
    public const int DefaultCapacity = 8192;

    private const int FlushThreshold = 64 * 1024;

    /// <summary>Smallest slot buffer: most lines fit, so a slot is allocated once and kept.</summary>
    private const int MinimumSlotSize = 512;

    /// <summary>Slot buffers above this are released once written: a rare huge line does not pin memory in every slot.</summary>
    private const int MaximumKeptSlotSize = 4096;

    /// <summary>
    /// How long the writer thread gathers lines between batches while lines keep coming: 100 wake-ups a
    /// second at most under load; with the default capacity, lines are dropped only above 800,000 a second.
    /// </summary>
    private static readonly TimeSpan BatchInterval = TimeSpan.FromMilliseconds(10);

    private readonly string _path;
    private readonly AccessLogLine[] _slots;
    private readonly Counter _dropped;
    private readonly ILogger _logger;
    private readonly ManualResetEventSlim _wake = new(initialState: false, spinCount: 1);
    private readonly Thread _thread;
    private long _tail; // next position a producer claims
    private long _head; // next position the writer thread takes; written by that thread only
    private int _idle; // 1 while the writer thread waits for a wake-up
    private bool _completed;
    private long _droppedLines;
    private long _writtenLines;

    /// <summary>A writer to <paramref name="path"/> (<c>stdout</c>, <c>stderr</c> or a file, appended to).</summary>
    public AccessLogWriter(string path, Counter dropped, ILogger logger, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _path = path;
        _dropped = dropped;
        _logger = logger;
        _slots = new AccessLogLine[capacity];
        for (int i = 0; i < capacity; i++)
        {
            _slots[i].Sequence = i;
        }
        _thread = new Thread(Drain) { IsBackground = true, Name = "meshy-access-log" };
        _thread.Start();
    }

    /// <summary>The sink's path as configured.</summary>
    public string Path => _path;

    /// <summary>Lines dropped because the ring was full.</summary>
    public long DroppedLines => Interlocked.Read(ref _droppedLines);

    /// <summary>Lines handed to the sink.</summary>
    public long WrittenLines => Interlocked.Read(ref _writtenLines);

    /// <summary>Queues a copy of <paramref name="line"/> (newline included); false when it was dropped. Never blocks.</summary>
    public bool TryWrite(ReadOnlySpan<byte> line)
    {
        if (!TryClaim(out long position, out byte[] buffer))
        {
            return false;
        }
        if (buffer.Length < line.Length)
        {
            buffer = new byte[(int)BitOperations.RoundUpToPowerOf2((uint)line.Length)];
        }
        line.CopyTo(buffer);
        Publish(position, buffer, line.Length);
        return true;
    }

    /// <summary>
    /// Claims the next slot for a line written in place: <paramref name="buffer"/> is the slot's own (at least
    /// 512 bytes). False, counted as dropped, when the ring is full or the writer is disposed. Never blocks.
    /// </summary>
    /// <remarks>
    /// NOTE: every claim must be published (<see cref="Publish"/>), in a <c>finally</c>: the writer thread takes
    /// lines in order and waits on an unpublished slot for ever.
    /// </remarks>
    public bool TryClaim(out long position, out byte[] buffer)
    {
        if (Volatile.Read(ref _completed) || !TryClaimPosition(out position))
        {
            Interlocked.Increment(ref _droppedLines);
            _dropped.Inc();
            position = 0;
            buffer = null!;
            return false;
        }
        // The slot is ours until its sequence says the line is in it.
        buffer = _slots[position % _slots.Length].Buffer ??= new byte[MinimumSlotSize];
        return true;
    }

    /// <summary>
    /// Hands the claimed slot at <paramref name="position"/> to the writer thread with its line: the first
    /// <paramref name="length"/> bytes of <paramref name="buffer"/> (the slot's, or a larger one that becomes
    /// the slot's). A length of 0 (formatting failed) writes nothing.
    /// </summary>
    public void Publish(long position, byte[] buffer, int length)
    {
        ref AccessLogLine slot = ref _slots[position % _slots.Length];
        slot.Buffer = buffer;
        slot.Length = length;
        Volatile.Write(ref slot.Sequence, position + 1);
        WakeIfIdle();
    }

    /// <summary>Stops taking lines and gives the writer a moment to write what is queued.</summary>
    public void Dispose()
    {
        Volatile.Write(ref _completed, true);
        _wake.Set();
        // A sink that never opens (a FIFO without a reader) must not hold up shutdown.
        _thread.Join(TimeSpan.FromSeconds(2));
    }

    /// <summary>Claims the next free position; false when the ring is full (the writer thread is behind by a whole lap).</summary>
    private bool TryClaimPosition(out long position)
    {
        position = Volatile.Read(ref _tail);
        while (true)
        {
            long sequence = Volatile.Read(ref _slots[position % _slots.Length].Sequence);
            long lap = sequence - position;
            if (lap == 0)
            {
                long seen = Interlocked.CompareExchange(ref _tail, position + 1, position);
                if (seen == position)
                {
                    return true;
                }
                position = seen;
            }
            else if (lap < 0)
            {
                return false; // the slot still holds the line of the previous lap
            }
            else
            {
                position = Volatile.Read(ref _tail); // another producer took it
            }
        }
    }

    private void WakeIfIdle()
    {
        // NOTE: the full fence orders the slot's publication before the read of _idle; the writer thread does
        // the mirror image (sets _idle, then looks at the ring), so one of the two always sees the other.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _idle) != 0 && Interlocked.Exchange(ref _idle, 0) != 0)
        {
            _wake.Set();
        }
    }

    /// <summary>True when the slot at the head holds a line.</summary>
    private bool HasLine()
    {
        long head = _head;
        return Volatile.Read(ref _slots[head % _slots.Length].Sequence) == head + 1;
    }

    /// <summary>Takes the line at the head, if any: hands its bytes to <paramref name="sink"/> (null: drops it) and frees the slot.</summary>
    private bool TryTake(Stream? sink)
    {
        long head = _head;
        ref AccessLogLine slot = ref _slots[head % _slots.Length];
        if (Volatile.Read(ref slot.Sequence) != head + 1)
        {
            return false;
        }
        try
        {
            if (sink is null)
            {
                Interlocked.Increment(ref _droppedLines);
                _dropped.Inc();
            }
            else if (slot.Length != 0) // 0: its formatting threw
            {
                sink.Write(slot.Buffer!, 0, slot.Length);
                Interlocked.Increment(ref _writtenLines);
            }
        }
        finally
        {
            if (slot.Buffer!.Length > MaximumKeptSlotSize)
            {
                slot.Buffer = null;
            }
            _head = head + 1;
            Volatile.Write(ref slot.Sequence, head + _slots.Length);
        }
        return true;
    }

    /// <summary>
    /// Waits for lines: <see cref="BatchInterval"/> when the last round found some (more are coming: let a batch
    /// gather rather than take them a few at a time), else until a producer wakes it. False once disposed and
    /// nothing is left.
    /// </summary>
    private bool WaitForLines(bool busy)
    {
        if (busy && !Volatile.Read(ref _completed))
        {
            // Producers do not wake a busy writer; only Dispose does, to cut the wait short. A wake-up left over
            // from a race with the idle check must not turn the wait into a spin.
            _wake.Reset();
            _wake.Wait(BatchInterval);
        }
        if (HasLine())
        {
            return true;
        }
        if (Volatile.Read(ref _completed))
        {
            return HasLine();
        }
        _wake.Reset();
        Interlocked.Exchange(ref _idle, 1);
        if (!HasLine() && !Volatile.Read(ref _completed))
        {
            _wake.Wait();
        }
        Volatile.Write(ref _idle, 0);
        return true;
    }

    private void Drain()
    {
        Stream? sink = null;
        try
        {
            sink = Open();
            using var buffered = new BufferedStream(sink, FlushThreshold);
            bool busy = false;
            while (WaitForLines(busy))
            {
                busy = false;
                while (TryTake(buffered))
                {
                    busy = true;
                }
                if (busy)
                {
                    // The ring is empty: make what was written visible before waiting again.
                    buffered.Flush();
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException or NotSupportedException)
        {
            LogSinkFailed(_logger, _path, ex);
            DropRemaining();
        }
        finally
        {
            if (sink is not null && !IsStandardStream())
            {
                sink.Dispose();
            }
        }
    }

    private Stream Open()
    {
        switch (_path)
        {
            case "stdout":
                return Console.OpenStandardOutput();
            case "stderr":
                return Console.OpenStandardError();
        }
        try
        {
            return new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        }
        catch (IOException) when (File.Exists(_path))
        {
            // Not seekable (a FIFO or a character device): append has no meaning, write from the start.
            return new FileStream(_path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        }
    }

    private bool IsStandardStream() => _path is "stdout" or "stderr";

    private void DropRemaining()
    {
        // The sink is gone: keep taking lines so requests never wait, and count them as dropped.
        while (WaitForLines(busy: false))
        {
            while (TryTake(sink: null))
            {
            }
        }
    }

    [LoggerMessage(EventId = Meshy.Engine.Logging.EventIds.AccessLogSinkFailed, Level = LogLevel.Error, Message = "access log {Path}: the sink failed; lines are dropped from now on")]
    private static partial void LogSinkFailed(ILogger logger, string path, Exception exception);
}
