using Meshy.Filters.Observability.AccessLog;
using Meshy.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;

namespace Meshy.Filters.Tests.Observability;

public sealed class AccessLogWriterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("meshy-obs-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task TryWrite_FileSink_LinesAppendedInOrder()
    {
        string path = Path.Combine(_directory, "log");
        Counter dropped = Metrics.WithCustomRegistry(Metrics.NewCustomRegistry()).CreateCounter("dropped", "test");
        using (var writer = new AccessLogWriter(path, dropped, NullLogger.Instance))
        {
            for (int i = 0; i < 100; i++)
            {
                Assert.True(writer.TryWrite(System.Text.Encoding.ASCII.GetBytes($"{{\"n\":{i}}}\n")));
            }
            await Loopback.WaitUntilAsync(() => writer.WrittenLines == 100, "all lines are written");
        }
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"{{\"n\":{i}}}"), File.ReadAllLines(path));
        Assert.Equal(0, dropped.Value);
    }

    [Fact]
    public void TryWrite_ChannelFull_DropsAndCountsWithoutBlocking()
    {
        string fifo = Path.Combine(_directory, "fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        Counter dropped = Metrics.WithCustomRegistry(Metrics.NewCustomRegistry()).CreateCounter("dropped", "test");
        var writer = new AccessLogWriter(fifo, dropped, NullLogger.Instance, capacity: 4);

        // The writer thread is stuck opening a FIFO nobody reads: 4 lines fit, the rest are refused at once.
        int accepted = Enumerable.Range(0, 10).Count(_ => writer.TryWrite("{}\n"u8));

        Assert.Equal(4, accepted);
        Assert.Equal(6, writer.DroppedLines);
        Assert.Equal(6, dropped.Value);
        // Unblock the writer thread so it ends with the test.
        using var reader = new FileStream(fifo, FileMode.Open, FileAccess.Read);
        writer.Dispose();
    }

    [Fact]
    public async Task Publish_EmptyLine_SkippedAndLaterLinesStillWritten()
    {
        string path = Path.Combine(_directory, "log");
        Counter dropped = Metrics.WithCustomRegistry(Metrics.NewCustomRegistry()).CreateCounter("dropped", "test");
        using (var writer = new AccessLogWriter(path, dropped, NullLogger.Instance))
        {
            // A line whose formatting threw is published empty: the writer thread must not wait on its slot.
            Assert.True(writer.TryClaim(out long position, out byte[] buffer));
            Assert.True(writer.TryWrite("{\"n\":2}\n"u8));
            "{\"partial"u8.CopyTo(buffer);
            writer.Publish(position, buffer, 0);
            await Loopback.WaitUntilAsync(() => writer.WrittenLines == 1, "the second line is written");
        }
        Assert.Equal(["{\"n\":2}"], File.ReadAllLines(path));
        Assert.Equal(0, dropped.Value);
    }

    [Fact]
    public async Task TryWrite_LineLongerThanASlot_WrittenWhole()
    {
        string path = Path.Combine(_directory, "log");
        Counter dropped = Metrics.WithCustomRegistry(Metrics.NewCustomRegistry()).CreateCounter("dropped", "test");
        string longLine = "{\"p\":\"" + new string('x', 10_000) + "\"}";
        using (var writer = new AccessLogWriter(path, dropped, NullLogger.Instance, capacity: 2))
        {
            for (int i = 0; i < 3; i++)
            {
                Assert.True(writer.TryWrite(System.Text.Encoding.ASCII.GetBytes(longLine + "\n")));
                int written = i + 1;
                await Loopback.WaitUntilAsync(() => writer.WrittenLines == written, "the line is written");
            }
        }
        Assert.Equal([longLine, longLine, longLine], File.ReadAllLines(path));
    }
}
