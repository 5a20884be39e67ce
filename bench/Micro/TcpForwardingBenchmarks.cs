using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Meshy.Conf.Compilation;
using Meshy.Conf.Loading;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Meshy.Filters.TcpProxy;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshy.Bench.Micro;

/// <summary>
/// The L4 data path end to end on loopback: a client writes 1 MiB into a real Meshy TCP listener
/// (compiled from TOML like <c>meshy run</c> does) and the upstream sink reads it. MemoryDiagnoser's
/// "Allocated" per operation is the managed memory Meshy spent to forward 1 MiB; with receive blocks
/// pooled and every received buffer sent from where it landed, it stays at ~0 B: no per-transfer
/// buffer and no user-space copy of the payload (the only copies are the kernel's recv and send).
/// The direct baseline is the same transfer without Meshy.
/// </summary>
[MemoryDiagnoser]
public class TcpForwardingBenchmarks
{
    private const int Transfer = 1024 * 1024;
    private readonly byte[] _payload = new byte[Transfer];
    private readonly byte[] _sinkBuffer = new byte[64 * 1024];
    private Socket _sinkListener = null!;
    private Socket _proxied = null!;
    private Socket _proxiedSink = null!;
    private Socket _direct = null!;
    private Socket _directSink = null!;
    private ListenerManager _listeners = null!;

    /// <summary>Bytes per client write.</summary>
    [Params(65536)]
    public int Chunk { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _sinkListener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _sinkListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _sinkListener.Listen(16);

        string toml = $"""
            [[listeners]]
            name = "bench"
            address = "127.0.0.1:0"
            protocol = "tcp"
            cluster = "sink"

            [[clusters]]
            name = "sink"
            endpoints = [{"{"} address = "{_sinkListener.LocalEndPoint}" {"}"}]
            """;
        ConfigLoadResult loaded = ConfigLoader.LoadText(toml, "bench.toml");
        var connector = new UpstreamConnector(PipeOptionsFactory.Default);
        var factory = new TcpProxyFilterFactory(connector, new TcpProxyMetrics(), NullLoggerFactory.Instance);
        ProxySnapshot snapshot = new SnapshotCompiler(new EndpointRegistry(), [factory]).Compile(
            loaded.Config ?? throw new InvalidOperationException(string.Join('\n', loaded.Diagnostics)), "bench.toml");
        var holder = new SnapshotHolder(snapshot);
        _listeners = new ListenerManager(holder, PipeOptionsFactory.Default, new ConnectionTracker(), NullLogger<ListenerManager>.Instance);
        _listeners.ApplyAsync(snapshot).GetAwaiter().GetResult();

        _proxied = Connect(_listeners.Listening["bench"]);
        _proxiedSink = _sinkListener.Accept();
        _direct = Connect((IPEndPoint)_sinkListener.LocalEndPoint!);
        _directSink = _sinkListener.Accept();
    }

    [Benchmark(Baseline = true)]
    public Task<long> Direct() => TransferAsync(_direct, _directSink);

    [Benchmark]
    public Task<long> ThroughMeshy() => TransferAsync(_proxied, _proxiedSink);

    private async Task<long> TransferAsync(Socket client, Socket sink)
    {
        Task<long> drain = DrainAsync(sink);
        for (int offset = 0; offset < Transfer; offset += Chunk)
        {
            int sent = 0;
            while (sent < Chunk)
            {
                sent += await client.SendAsync(_payload.AsMemory(offset + sent, Chunk - sent), SocketFlags.None);
            }
        }
        return await drain;
    }

    private async Task<long> DrainAsync(Socket sink)
    {
        long received = 0;
        while (received < Transfer)
        {
            received += await sink.ReceiveAsync(_sinkBuffer.AsMemory(0, (int)Math.Min(_sinkBuffer.Length, Transfer - received)), SocketFlags.None);
        }
        return received;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _proxied.Dispose();
        _direct.Dispose();
        _proxiedSink.Dispose();
        _directSink.Dispose();
        _listeners.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _sinkListener.Dispose();
    }

    private static Socket Connect(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(endPoint);
        return socket;
    }
}
