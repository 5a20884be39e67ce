using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Meshy.Filters.Http2;
using Meshy.Filters.Http2.Frames;
using Meshy.Filters.Http2.Hpack;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Http2Upstream;

/// <summary>
/// A raw-socket HTTP/2 server the test scripts frame by frame: accepts connections, checks the client
/// preface, and lets the test read the client's frames and write its own (HPACK state per connection).
/// </summary>
internal sealed class ScriptedH2Peer : IAsyncDisposable
{
    private readonly Socket _listener;
    private int _accepted;

    public ScriptedH2Peer()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Accepts the next connection, reads the preface and the client's SETTINGS, sends ours (<paramref name="settings"/>).</summary>
    public async Task<PeerConnection> AcceptAsync(params Http2Setting[] settings)
    {
        using var timeout = new CancellationTokenSource(Loopback.DefaultTimeout);
        Socket socket = await _listener.AcceptAsync(timeout.Token);
        Interlocked.Increment(ref _accepted);
        var connection = new PeerConnection(socket);
        byte[] preface = await Loopback.ReadExactlyAsync(socket, Http2Preface.Length);
        Assert.Equal(Http2Preface.ClientBytes.ToArray(), preface);
        PeerFrame clientSettings = await connection.ReadFrameAsync();
        Assert.Equal(Http2FrameType.Settings, clientSettings.Header.Type);
        connection.ClientSettings = Http2Settings.Default.Apply(new ReadOnlySequence<byte>(clientSettings.Payload));
        await connection.SendAsync(w => Http2FrameWriter.WriteSettings(w, settings));
        return connection;
    }

    public ValueTask DisposeAsync()
    {
        _listener.Dispose();
        return ValueTask.CompletedTask;
    }

    internal readonly record struct PeerFrame(Http2FrameHeader Header, byte[] Payload);

    internal sealed class PeerConnection(Socket socket) : IDisposable
    {
        private readonly HpackDecoder _decoder = new();
        private readonly HpackEncoder _encoder = new();

        public Socket Socket { get; } = socket;

        public Http2Settings ClientSettings { get; set; } = Http2Settings.Default;

        /// <summary>Frames skipped by <see cref="ReadFrameAsync(Http2FrameType)"/>.</summary>
        public List<PeerFrame> Skipped { get; } = [];

        public async Task<PeerFrame> ReadFrameAsync()
        {
            byte[] head = await Loopback.ReadExactlyAsync(Socket, Http2FrameHeader.Size);
            Http2FrameHeader header = Http2FrameHeader.Read(head);
            byte[] payload = header.Length == 0 ? [] : await Loopback.ReadExactlyAsync(Socket, header.Length);
            return new PeerFrame(header, payload);
        }

        /// <summary>The next frame of <paramref name="type"/>; others are kept in <see cref="Skipped"/>.</summary>
        public async Task<PeerFrame> ReadFrameAsync(Http2FrameType type)
        {
            while (true)
            {
                PeerFrame frame = await ReadFrameAsync();
                if (frame.Header.Type == type)
                {
                    return frame;
                }
                Skipped.Add(frame);
            }
        }

        /// <summary>The next HEADERS frame's fields (one frame, END_HEADERS expected).</summary>
        public async Task<(int StreamId, List<(string Name, string Value)> Fields, bool EndStream)> ReadHeadersAsync()
        {
            PeerFrame frame = await ReadFrameAsync(Http2FrameType.Headers);
            Assert.True(frame.Header.HasFlag(Http2FrameFlags.EndHeaders));
            var sink = new ListSink();
            _decoder.Decode(frame.Payload.AsSpan(), ref sink);
            return (frame.Header.StreamId, sink.Fields, frame.Header.HasFlag(Http2FrameFlags.EndStream));
        }

        public async Task SendAsync(Action<ArrayBufferWriter<byte>> write)
        {
            var output = new ArrayBufferWriter<byte>();
            write(output);
            await Loopback.SendAllAsync(Socket, output.WrittenMemory);
        }

        public Task SendHeadersAsync(int streamId, bool endStream, params (string Name, string Value)[] fields) => SendAsync(w =>
        {
            var block = new ArrayBufferWriter<byte>();
            foreach ((string name, string value) in fields)
            {
                _encoder.EncodeField(Encoding.ASCII.GetBytes(name), Encoding.ASCII.GetBytes(value), block);
            }
            Http2FrameWriter.WriteHeaders(w, streamId, block.WrittenSpan, endStream, Http2Settings.MinMaxFrameSize);
        });

        public Task SendDataAsync(int streamId, string data, bool endStream) => SendAsync(w =>
        {
            byte[] bytes = Encoding.ASCII.GetBytes(data);
            Http2FrameWriter.WriteDataHeader(w, streamId, bytes.Length, endStream);
            w.Write(bytes);
        });

        public void Dispose() => Socket.Dispose();
    }

    private struct ListSink() : IHpackFieldSink
    {
        public List<(string Name, string Value)> Fields { get; } = [];

        public readonly void OnField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed) =>
            Fields.Add((Encoding.ASCII.GetString(name), Encoding.ASCII.GetString(value)));
    }
}
