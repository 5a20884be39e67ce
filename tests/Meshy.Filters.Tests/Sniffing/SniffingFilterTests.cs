using System.IO.Pipelines;
using System.Text;
using Meshy.Engine.Pipeline;
using Meshy.Filters.Sniffing;
using Meshy.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshy.Filters.Tests.Sniffing;

public sealed class SniffingFilterTests
{
    private static readonly TimeSpan LongWait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SniffAsync_RequestLineSplitAcrossWrites_IsHttpAndLeavesEveryByteUnread()
    {
        var pipe = new Pipe();
        SniffingFilter filter = NewFilter(LongWait);

        ValueTask<SniffedProtocol> sniffing = filter.SniffAsync(pipe.Reader);
        await pipe.Writer.WriteAsync("PO"u8.ToArray());
        Assert.False(sniffing.IsCompleted);
        await pipe.Writer.WriteAsync("ST /a HTTP/1.1\r\n"u8.ToArray());

        Assert.Equal(SniffedProtocol.Http1, await sniffing);
        Assert.Equal("POST /a HTTP/1.1\r\n", await ReadNowAsync(pipe.Reader));
    }

    [Fact]
    public async Task SniffAsync_TlsClientHello_IsTcpAndLeavesEveryByteUnread()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { 0x16, 0x03, 0x01, 0x00, 0x05 });

        Assert.Equal(SniffedProtocol.Tcp, await NewFilter(LongWait).SniffAsync(pipe.Reader));
        Assert.Equal("\x16\x03\x01\0\x05", await ReadNowAsync(pipe.Reader));
    }

    [Fact]
    public async Task SniffAsync_SilentClient_IsTcpAfterTheWait()
    {
        var pipe = new Pipe();

        // Server-speaks-first: nothing arrives; a short real wait keeps the test fast.
        Assert.Equal(SniffedProtocol.Tcp, await NewFilter(TimeSpan.FromMilliseconds(20)).SniffAsync(pipe.Reader));

        await pipe.Writer.WriteAsync("hello"u8.ToArray());
        Assert.Equal("hello", await ReadNowAsync(pipe.Reader));
    }

    [Fact]
    public async Task SniffAsync_PartialOpeningOutlivesTheSilenceWait_IsHttpWithinTheOpeningWait()
    {
        Pipe pipe = InlinePipe();
        var clock = new ManualTimeProvider();
        SniffingFilter filter = NewFilter(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), clock);

        ValueTask<SniffedProtocol> sniffing = filter.SniffAsync(pipe.Reader);
        await pipe.Writer.WriteAsync("GE"u8.ToArray());
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.False(sniffing.IsCompleted, "a started HTTP opening gets the request-head wait, not the silence wait");
        await pipe.Writer.WriteAsync("T / HTTP/1.1\r\n"u8.ToArray());

        Assert.Equal(SniffedProtocol.Http1, await sniffing);
        Assert.Equal("GET / HTTP/1.1\r\n", await ReadNowAsync(pipe.Reader));
    }

    [Fact]
    public async Task SniffAsync_SilenceWaitZero_WaitsForTheFirstBytes()
    {
        Pipe pipe = InlinePipe();
        var clock = new ManualTimeProvider();
        SniffingFilter filter = NewFilter(TimeSpan.Zero, TimeSpan.FromSeconds(10), clock);

        ValueTask<SniffedProtocol> sniffing = filter.SniffAsync(pipe.Reader);
        clock.Advance(TimeSpan.FromHours(1));
        Assert.False(sniffing.IsCompleted, "\"0s\" never gives up on a silent client");
        await pipe.Writer.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());

        Assert.Equal(SniffedProtocol.Http2, await sniffing);
    }

    [Fact]
    public async Task SniffAsync_PartialOpeningThenSilence_IsTcpAfterTheOpeningWaitAndLosesNoByte()
    {
        Pipe pipe = InlinePipe();
        var clock = new ManualTimeProvider();
        SniffingFilter filter = NewFilter(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), clock);

        ValueTask<SniffedProtocol> sniffing = filter.SniffAsync(pipe.Reader);
        await pipe.Writer.WriteAsync("GE"u8.ToArray());
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(SniffedProtocol.Tcp, await sniffing);

        // The TCP side gets the partial opening with the client's next bytes, nothing consumed.
        await pipe.Writer.WriteAsync("T?"u8.ToArray());
        Assert.Equal("GET?", await ReadNowAsync(pipe.Reader));
    }

    [Fact]
    public async Task SniffAsync_ClientEndsMidOpening_IsTcp()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync("HE"u8.ToArray());
        await pipe.Writer.CompleteAsync();

        Assert.Equal(SniffedProtocol.Tcp, await NewFilter(LongWait).SniffAsync(pipe.Reader));
        Assert.Equal("HE", await ReadNowAsync(pipe.Reader));
    }

    /// <summary>The sniffer runs inside the writer's flush, so it has seen each write before the clock moves.</summary>
    private static Pipe InlinePipe() =>
        new(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));

    private static SniffingFilter NewFilter(TimeSpan silenceWait, TimeProvider? clock = null) =>
        NewFilter(silenceWait, LongWait, clock);

    private static SniffingFilter NewFilter(TimeSpan silenceWait, TimeSpan openingWait, TimeProvider? clock = null) =>
        new(new NeverFilter(), new NeverFilter(), NullLogger.Instance, silenceWait, openingWait, clock);

    /// <summary>Reads what the pipe holds; fails when a read would wait (the bytes were left examined).</summary>
    private static async Task<string> ReadNowAsync(PipeReader reader)
    {
        ValueTask<ReadResult> read = reader.ReadAsync();
        Assert.True(read.IsCompleted, "the unread bytes must be returned without waiting for new ones");
        ReadResult result = await read;
        string text = Encoding.Latin1.GetString(result.Buffer);
        reader.AdvanceTo(result.Buffer.End);
        return text;
    }

    private sealed class NeverFilter : INetworkFilter
    {
        public ValueTask<FilterStatus> OnConnectionAsync(ConnectionContext connection) => throw new InvalidOperationException("not in these tests");
    }
}
