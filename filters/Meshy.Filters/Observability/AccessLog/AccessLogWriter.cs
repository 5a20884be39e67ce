using System.Buffers;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Meshy.Filters.Observability.AccessLog;

/// <summary>
/// Writes access-log lines to one sink (stdout, stderr or a file) off the request path: requests hand
/// a formatted line to a bounded channel and return at once; a dedicated thread drains it to the sink.
/// When the channel is full the line is dropped and counted (<c>meshy_access_log_dropped_total</c>):
/// a slow disk, a full pipe or a FIFO nobody reads never delays a request.
/// </summary>
/// <remarks>
/// The sink is opened on the writer thread, not by the constructor: opening a FIFO blocks until a
/// reader appears, which must not block a reload. One writer per path for the life of the process;
/// snapshots whose <c>[access_log]</c> names the same path share it.
/// </remarks>
internal sealed partial class AccessLogWriter : IDisposable
{
    /// <summary>Lines buffered before new ones are dropped.</summary>
    public const int DefaultCapacity = 8192;

    private const int FlushThreshold = 64 * 1024;

    private readonly string _path;
    private readonly Channel<AccessLogLine> _lines;
    private readonly Counter _dropped;
    private readonly ILogger _logger;
    private readonly Thread _thread;
    private long _droppedLines;
    private long _writtenLines;

    /// <summary>A writer to <paramref name="path"/> (<c>stdout</c>, <c>stderr</c> or a file, appended to).</summary>
    public AccessLogWriter(string path, Counter dropped, ILogger logger, int capacity = DefaultCapacity)
    {
        _path = path;
        _dropped = dropped;
        _logger = logger;
        _lines = Channel.CreateBounded<AccessLogLine>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite only: a full channel refuses the line
        });
        _thread = new Thread(Drain) { IsBackground = true, Name = "meshy-access-log" };
        _thread.Start();
    }

    /// <summary>The sink's path as configured.</summary>
    public string Path => _path;

    /// <summary>Lines dropped because the channel was full.</summary>
    public long DroppedLines => Interlocked.Read(ref _droppedLines);

    /// <summary>Lines handed to the sink.</summary>
    public long WrittenLines => Interlocked.Read(ref _writtenLines);

    /// <summary>Queues a copy of <paramref name="line"/> (newline included); false when it was dropped. Never blocks.</summary>
    public bool TryWrite(ReadOnlySpan<byte> line)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(line.Length);
        line.CopyTo(buffer);
        if (_lines.Writer.TryWrite(new AccessLogLine(buffer, line.Length)))
        {
            return true;
        }
        ArrayPool<byte>.Shared.Return(buffer);
        Interlocked.Increment(ref _droppedLines);
        _dropped.Inc();
        return false;
    }

    /// <summary>Stops taking lines and gives the writer a moment to write what is queued.</summary>
    public void Dispose()
    {
        _lines.Writer.TryComplete();
        // A sink that never opens (a FIFO without a reader) must not hold up shutdown.
        _thread.Join(TimeSpan.FromSeconds(2));
    }

    private void Drain()
    {
        Stream? sink = null;
        try
        {
            sink = Open();
            using var buffered = new BufferedStream(sink, FlushThreshold);
            ChannelReader<AccessLogLine> reader = _lines.Reader;
            while (WaitToRead(reader))
            {
                while (reader.TryRead(out AccessLogLine line))
                {
                    try
                    {
                        buffered.Write(line.Buffer, 0, line.Length);
                        Interlocked.Increment(ref _writtenLines);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(line.Buffer);
                    }
                }
                // The channel is empty: make what was written visible before waiting again.
                buffered.Flush();
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

    private static bool WaitToRead(ChannelReader<AccessLogLine> reader)
    {
        ValueTask<bool> wait = reader.WaitToReadAsync();
        return wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
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
        ChannelReader<AccessLogLine> reader = _lines.Reader;
        while (WaitToRead(reader))
        {
            while (reader.TryRead(out AccessLogLine line))
            {
                ArrayPool<byte>.Shared.Return(line.Buffer);
                Interlocked.Increment(ref _droppedLines);
                _dropped.Inc();
            }
        }
    }

    [LoggerMessage(EventId = Meshy.Engine.Logging.EventIds.AccessLogSinkFailed, Level = LogLevel.Error, Message = "access log {Path}: the sink failed; lines are dropped from now on")]
    private static partial void LogSinkFailed(ILogger logger, string path, Exception exception);
}
