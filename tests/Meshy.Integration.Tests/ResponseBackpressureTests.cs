using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Meshy.Testing;
using Xunit.Abstractions;

namespace Meshy.Integration.Tests;

/// <summary>
/// <c>meshy run</c> as a real process relaying a response far bigger than it may hold to a client that
/// reads the head and then stops: meshy must stop reading the upstream (back-pressure) instead of
/// buffering the body, over HTTP/1.1 and HTTP/2 downstream, Content-Length and chunked upstream bodies;
/// then, once the client reads again, every byte must arrive intact.
/// </summary>
public sealed class ResponseBackpressureTests(ITestOutputHelper output)
{
    /// <summary>The upstream writes the body in slices of this size (a multiple of 8, see <see cref="FillPattern"/>).</summary>
    private const int SliceSize = 256 * 1024;

    /// <summary>SO_SNDBUF of the upstream's socket and SO_RCVBUF of the client's: pinned, so they are not autotuned.</summary>
    private const int PinnedBuffer = 256 * 1024;

    /// <summary>Room for what meshy itself may hold of one response: 1 MiB per pipe, a few pipes, batches in flight.</summary>
    private const long MeshyAllowance = 8L << 20;

    /// <summary>How long the upstream's count must stand still to call it stalled.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);

    /// <summary>The peak-RSS growth the 1 GiB upload test allows (Http1ProxyTests), for the other direction.</summary>
    private const long RssGrowthLimitKiB = 64 * 1024;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task Run_Http1ClientStopsReading_UpstreamStallsWithBoundedMemoryThenBodyArrivesIntact(bool chunked) =>
        RunAsync(HttpVersion.Version11, chunked);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task Run_Http2StreamStopsReading_UpstreamStallsWithBoundedMemoryOtherStreamsServedThenBodyArrivesIntact(bool chunked) =>
        RunAsync(HttpVersion.Version20, chunked);

    private async Task RunAsync(Version version, bool chunked)
    {
        long bound = WriteAheadBound();
        // Far more than a correct build can have in flight, so that buffering the body cannot pass for back-pressure.
        long bodyLength = Math.Max(256L << 20, 4 * bound) / SliceSize * SliceSize;
        var sent = new SentBody();
        await using FakeHttpUpstream upstream = FakeHttpUpstream.Start(async (request, cancellationToken) =>
        {
            switch (request.Head.Target)
            {
                case "/small":
                    await request.RespondAsync(200, "small"u8.ToArray(), cancellationToken);
                    break;
                case "/warm":
                    await ServeBodyAsync(request.Socket, 4 << 20, chunked, counter: null, cancellationToken);
                    break;
                default:
                    await ServeBodyAsync(request.Socket, bodyLength, chunked, sent, cancellationToken);
                    break;
            }
            return true;
        });
        using var config = new TempConfig(Configs.Header() + Configs.HttpListener("web", "web")
            + Configs.RoutesAllTo("web", "backend") + Configs.Cluster("backend", upstream.EndPoint));
        await using MeshyProcess meshy = await MeshyProcess.RunAsync(config.Path, "web");
        int connections = 0;
        using HttpClient client = CreateClient(await meshy.ListenerEndPointAsync("web"), version, () => Interlocked.Increment(ref connections));
        // Warm the response path once (JIT, pools, the connection) so that the baseline includes it.
        Assert.Equal(4 << 20, (await client.GetByteArrayAsync("/warm")).Length);
        long rssBefore = meshy.StatusKiB("VmRSS");
        long peakBefore = meshy.StatusKiB("VmHWM");

        // 1. The head arrives and the client reads nothing more: the upstream's writes must stop.
        using HttpResponseMessage response = await client.GetAsync("/big", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        long stalled = await WaitForStallAsync(sent, bound);
        long peakStalled = meshy.StatusKiB("VmHWM");
        long rssStalled = meshy.StatusKiB("VmRSS");
        output.WriteLine($"{version} chunked={chunked}: body {bodyLength >> 20} MiB, upstream wrote {stalled} bytes ({stalled / (1024.0 * 1024):F1} MiB) " +
            $"before stalling, bound {bound >> 20} MiB; VmRSS {rssBefore / 1024} -> {rssStalled / 1024} MiB, VmHWM {peakBefore / 1024} -> {peakStalled / 1024} MiB");
        Assert.True(stalled <= bound,
            $"the upstream wrote {stalled} bytes of {bodyLength} (at least: the wait ends at the bound, {bound}) to a client that reads nothing: meshy buffers the response");
        Assert.True(peakStalled - peakBefore < RssGrowthLimitKiB,
            $"VmHWM grew by {(peakStalled - peakBefore) / 1024} MiB (from {peakBefore / 1024} MiB to {peakStalled / 1024} MiB) while the client read nothing");

        // 2. HTTP/2: the stalled stream holds up only itself, on the same connection.
        if (version == HttpVersion.Version20)
        {
            Assert.Equal("small", await client.GetStringAsync("/small"));
            Assert.Equal(1, Volatile.Read(ref connections));
            Assert.True(stalled == sent.Written, $"the upstream wrote {sent.Written - stalled} more bytes of the stalled stream while another was served");
        }

        // 3. The client reads again: the rest flows, every byte in order, and the message ends where it should.
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using Stream body = await response.Content.ReadAsStreamAsync(reading.Token);
        (byte[] hash, long length) = await HashAsync(body, reading.Token);
        Assert.Equal(bodyLength, length);
        Assert.Equal(await sent.Hash.Task.WaitAsync(reading.Token), hash);
        long peakAfter = meshy.StatusKiB("VmHWM");
        output.WriteLine($"after the read: VmRSS {meshy.StatusKiB("VmRSS") / 1024} MiB, VmHWM {peakAfter / 1024} MiB");
        Assert.True(peakAfter - peakBefore < RssGrowthLimitKiB,
            $"VmHWM grew by {(peakAfter - peakBefore) / 1024} MiB (from {peakBefore / 1024} MiB to {peakAfter / 1024} MiB) relaying {bodyLength >> 20} MiB");
    }

    /// <summary>
    /// The most a correct build lets the upstream write ahead of a client that reads nothing: what the kernel can
    /// hold in the two sockets whose buffers the test does not pin (meshy's upstream side receiving, autotuned up to
    /// tcp_rmem's maximum; its downstream side sending, up to tcp_wmem's), the two pinned ones (the kernel doubles
    /// what SO_SNDBUF/SO_RCVBUF ask for), and meshy's own bounded buffers: 19 MiB with Linux's defaults (6 MiB, 4 MiB),
    /// 45 MiB where tcp_rmem's maximum is 32 MiB.
    /// </summary>
    private static long WriteAheadBound() => KernelMaximum("tcp_rmem") + KernelMaximum("tcp_wmem") + (2 * 2 * PinnedBuffer) + MeshyAllowance;

    private static long KernelMaximum(string sysctl) =>
        long.Parse(File.ReadAllText($"/proc/sys/net/ipv4/{sysctl}").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[2]);

    /// <summary>
    /// Waits until the upstream's count of written bytes stood still for <see cref="Quiet"/> (or passed
    /// <paramref name="bound"/>, which fails the caller's assertion) and returns it.
    /// </summary>
    private static async Task<long> WaitForStallAsync(SentBody sent, long bound)
    {
        long last = -1;
        long changedAt = Environment.TickCount64;
        await Loopback.WaitUntilAsync(() =>
        {
            long now = sent.Written;
            if (now != last)
            {
                last = now;
                changedAt = Environment.TickCount64;
            }
            return now > bound || (now > 0 && Environment.TickCount64 - changedAt >= Quiet.TotalMilliseconds);
        }, "the upstream's writes stall", TimeSpan.FromSeconds(15));
        return last;
    }

    /// <summary>An h2c (prior knowledge) or HTTP/1.1 client whose sockets have a pinned receive buffer; <paramref name="connected"/> runs per connection.</summary>
    private static HttpClient CreateClient(IPEndPoint endPoint, Version version, Action connected) =>
        new(new SocketsHttpHandler
        {
            UseProxy = false,
            // The stream window is all an HTTP/2 stream may have unread: 64 KiB, the protocol's default.
            InitialHttp2StreamWindowSize = 65_535,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = PinnedBuffer };
                try
                {
                    await socket.ConnectAsync(endPoint, cancellationToken);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
                connected();
                return new NetworkStream(socket, ownsSocket: true);
            },
        })
        {
            BaseAddress = new Uri($"http://{endPoint}"),
            DefaultRequestVersion = version,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>
    /// Answers 200 with <paramref name="length"/> bytes of <see cref="FillPattern"/>, framed by Content-Length or
    /// chunked (one chunk per slice), as fast as the socket takes them, counting what the kernel accepted.
    /// </summary>
    private static async Task ServeBodyAsync(Socket socket, long length, bool chunked, SentBody? counter, CancellationToken cancellationToken)
    {
        socket.SendBufferSize = PinnedBuffer;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await SendCountedAsync(socket, Encoding.ASCII.GetBytes(chunked
            ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            : $"HTTP/1.1 200 OK\r\nContent-Length: {length}\r\n\r\n"), counter, cancellationToken);
        byte[] slice = new byte[SliceSize + 16];
        for (long offset = 0; offset < length; offset += SliceSize)
        {
            int size = (int)Math.Min(SliceSize, length - offset);
            int start = 0;
            if (chunked)
            {
                start = Encoding.ASCII.GetBytes($"{size:x}\r\n", slice);
            }
            FillPattern(offset, slice.AsSpan(start, size));
            hash.AppendData(slice, start, size);
            int end = start + size;
            if (chunked)
            {
                "\r\n"u8.CopyTo(slice.AsSpan(end));
                end += 2;
            }
            await SendCountedAsync(socket, slice.AsMemory(0, end), counter, cancellationToken);
        }
        if (chunked)
        {
            await SendCountedAsync(socket, "0\r\n\r\n"u8.ToArray(), counter, cancellationToken);
        }
        counter?.Hash.TrySetResult(hash.GetHashAndReset());
    }

    private static async Task SendCountedAsync(Socket socket, ReadOnlyMemory<byte> data, SentBody? counter, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            int sent = await socket.SendAsync(data, SocketFlags.None, cancellationToken);
            counter?.Add(sent);
            data = data[sent..];
        }
    }

    /// <summary>
    /// The body's bytes from <paramref name="offset"/> (a multiple of 8): word k of the body is k times an odd
    /// constant, so the body has no period and a lost, repeated or reordered slice changes its hash.
    /// </summary>
    private static void FillPattern(long offset, Span<byte> destination)
    {
        Span<ulong> words = MemoryMarshal.Cast<byte, ulong>(destination);
        ulong first = (ulong)offset / 8;
        for (int i = 0; i < words.Length; i++)
        {
            words[i] = (first + (ulong)i) * 0x9E37_79B9_7F4A_7C15UL;
        }
        destination[(words.Length * 8)..].Fill(0xA5);
    }

    private static async Task<(byte[] Hash, long Length)> HashAsync(Stream body, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[256 * 1024];
        long length = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            length += read;
        }
        return (hash.GetHashAndReset(), length);
    }

    /// <summary>What the upstream sent of <c>/big</c>: bytes the kernel accepted so far, and the body's SHA-256 once all of it was sent.</summary>
    private sealed class SentBody
    {
        private long _written;

        public long Written => Volatile.Read(ref _written);

        public TaskCompletionSource<byte[]> Hash { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Add(long bytes) => Interlocked.Add(ref _written, bytes);
    }
}
