using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Meshy.Filters.Http2;
using Meshy.Filters.Http2.Frames;
using Meshy.Filters.Http2.Hpack;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Http2Proxy;

/// <summary>
/// A hand-driven HTTP/2 client over a raw socket, for what real clients never send: malformed frames,
/// floods, precise sequences. Uses the codec's writer and HPACK to build frames.
/// </summary>
internal sealed class RawHttp2Connection : IAsyncDisposable
{
    private readonly HpackEncoder _encoder = new();
    private readonly HpackDecoder _decoder = new();

    private RawHttp2Connection(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    /// <summary>The server's SETTINGS as received in the handshake.</summary>
    public Http2Settings ServerSettings { get; private set; } = Http2Settings.Default;

    /// <summary>The connection window increment the server sent right after its SETTINGS (0 if none).</summary>
    public int ConnectionWindowIncrement { get; private set; }

    public static async Task<RawHttp2Connection> OpenAsync(IPEndPoint endPoint) =>
        new(await Loopback.ConnectAsync(endPoint));

    /// <summary>Preface and SETTINGS (optionally <paramref name="settings"/>), the server's SETTINGS read and acknowledged.</summary>
    public async Task HandshakeAsync(params Http2Setting[] settings)
    {
        var output = new ArrayBufferWriter<byte>();
        output.Write(Http2Preface.ClientBytes);
        Http2FrameWriter.WriteSettings(output, settings);
        await SendAsync(output.WrittenMemory);
        RawFrame first = await ReadFrameAsync();
        Assert.Equal(Http2FrameType.Settings, first.Type);
        ServerSettings = Http2Settings.Default.Apply(new ReadOnlySequence<byte>(first.Payload));
        await SendAsync(Frame(w => Http2FrameWriter.WriteSettingsAck(w)));
        RawFrame next = await ReadFrameAsync();
        if (next.Type == Http2FrameType.WindowUpdate && next.StreamId == 0)
        {
            ConnectionWindowIncrement = BinaryPrimitives.ReadInt32BigEndian(next.Payload);
            next = await ReadFrameAsync();
        }
        Assert.True(next.Type == Http2FrameType.Settings && next.Has(Http2FrameFlags.Ack), $"expected SETTINGS ACK, got {next.Type}");
    }

    public Task SendAsync(ReadOnlyMemory<byte> bytes) => Loopback.SendAllAsync(Socket, bytes);

    public static byte[] Frame(Action<ArrayBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>A raw frame with any header and payload.</summary>
    public static byte[] RawFrameBytes(Http2FrameType type, Http2FrameFlags flags, int streamId, ReadOnlySpan<byte> payload)
    {
        byte[] frame = new byte[Http2FrameHeader.Size + payload.Length];
        new Http2FrameHeader(payload.Length, type, flags, streamId).Write(frame);
        payload.CopyTo(frame.AsSpan(Http2FrameHeader.Size));
        return frame;
    }

    public byte[] EncodeBlock(params (string Name, string Value)[] fields)
    {
        var block = new ArrayBufferWriter<byte>();
        foreach ((string name, string value) in fields)
        {
            // Raw names: tests send uppercase names on purpose, which the encoder would lowercase.
            byte[] nameBytes = Encoding.ASCII.GetBytes(name);
            byte[] valueBytes = Encoding.ASCII.GetBytes(value);
            if (nameBytes.AsSpan().IndexOfAnyInRange((byte)'A', (byte)'Z') >= 0)
            {
                // literal without indexing, new name, raw strings (RFC 7541 §6.2.2)
                Span<byte> span = block.GetSpan(3 + nameBytes.Length + valueBytes.Length + 12);
                int written = 0;
                span[written++] = 0x00;
                written += HpackInteger.Encode(span[written..], nameBytes.Length, 7, 0x00);
                nameBytes.CopyTo(span[written..]);
                written += nameBytes.Length;
                written += HpackInteger.Encode(span[written..], valueBytes.Length, 7, 0x00);
                valueBytes.CopyTo(span[written..]);
                written += valueBytes.Length;
                block.Advance(written);
                continue;
            }
            _encoder.EncodeField(nameBytes, valueBytes, block);
        }
        return block.WrittenSpan.ToArray();
    }

    public Task SendHeadersAsync(int streamId, bool endStream, params (string Name, string Value)[] fields)
    {
        byte[] block = EncodeBlock(fields);
        return SendAsync(Frame(w => Http2FrameWriter.WriteHeaders(w, streamId, block, endStream, Http2Settings.MinMaxFrameSize)));
    }

    public Task SendGetAsync(int streamId, string path = "/") =>
        SendHeadersAsync(streamId, endStream: true, (":method", "GET"), (":scheme", "http"), (":authority", "a"), (":path", path));

    public Task SendDataAsync(int streamId, byte[] data, bool endStream) =>
        SendAsync(RawFrameBytes(Http2FrameType.Data, endStream ? Http2FrameFlags.EndStream : Http2FrameFlags.None, streamId, data));

    public Task SendRstStreamAsync(int streamId, Http2ErrorCode code) =>
        SendAsync(Frame(w => Http2FrameWriter.WriteRstStream(w, streamId, code)));

    private readonly List<RawFrame> _stash = [];

    /// <summary>The next frame: one set aside by an earlier read for another stream first, else from the socket.</summary>
    public async Task<RawFrame> ReadFrameAsync(TimeSpan? timeout = null)
    {
        if (_stash.Count > 0)
        {
            RawFrame stashed = _stash[0];
            _stash.RemoveAt(0);
            return stashed;
        }
        return await ReceiveFrameAsync(timeout);
    }

    private async Task<RawFrame> ReceiveFrameAsync(TimeSpan? timeout = null)
    {
        byte[] header = await Loopback.ReadExactlyAsync(Socket, Http2FrameHeader.Size, timeout);
        Http2FrameHeader parsed = Http2FrameHeader.Read(header);
        byte[] payload = parsed.Length == 0 ? [] : await Loopback.ReadExactlyAsync(Socket, parsed.Length, timeout);
        var fields = new List<(string, string)>();
        if (parsed.Type == Http2FrameType.Headers)
        {
            // The server sends neither padding nor priority: the payload is the whole field block.
            var sink = new ListSink();
            _decoder.Decode(payload, ref sink);
            fields = sink.Fields;
        }
        var frame = new RawFrame(parsed.Type, parsed.Flags, parsed.StreamId, payload) { Fields = fields };
        if (frame.Type == Http2FrameType.Data && payload.Length > 0)
        {
            await CreditAsync(frame);       // every DATA byte is credited back on arrival, so bodies keep flowing
        }
        return frame;
    }

    /// <summary>Reads until a frame of <paramref name="streamId"/> (or a connection frame); frames of other streams are kept for later reads.</summary>
    private async Task<RawFrame> ReadStreamFrameAsync(int streamId)
    {
        for (int i = 0; i < _stash.Count; i++)
        {
            if (_stash[i].StreamId == streamId)
            {
                RawFrame stashed = _stash[i];
                _stash.RemoveAt(i);
                return stashed;
            }
        }
        while (true)
        {
            RawFrame frame = await ReceiveFrameAsync();
            if (frame.StreamId == streamId || frame.StreamId == 0)
            {
                return frame;
            }
            _stash.Add(frame);
        }
    }

    private Task CreditAsync(RawFrame frame) => SendAsync(Frame(w =>
    {
        Http2FrameWriter.WriteWindowUpdate(w, 0, frame.Payload.Length);
        Http2FrameWriter.WriteWindowUpdate(w, frame.StreamId, frame.Payload.Length);
    }));

    /// <summary>Reads frames until the response of <paramref name="streamId"/> ends.</summary>
    public async Task<RawHttp2Response> ReadResponseAsync(int streamId)
    {
        int status = 0;
        var headers = new List<(string, string)>();
        var trailers = new List<(string, string)>();
        var body = new MemoryStream();
        bool headSeen = false;
        while (true)
        {
            RawFrame frame = await ReadStreamFrameAsync(streamId);
            if (frame.Type == Http2FrameType.GoAway)
            {
                throw new InvalidOperationException($"GOAWAY {frame.ErrorCode} while waiting for stream {streamId}");
            }
            if (frame.StreamId != streamId)
            {
                continue;       // PING ACK, SETTINGS, WINDOW_UPDATE on the connection
            }
            if (frame.Type == Http2FrameType.Headers)
            {
                if (!headSeen)
                {
                    headSeen = true;
                    status = int.Parse(frame.Fields.First(f => f.Name == ":status").Value);
                    headers.AddRange(frame.Fields.Where(f => !f.Name.StartsWith(':')));
                }
                else
                {
                    trailers.AddRange(frame.Fields);
                }
            }
            else if (frame.Type == Http2FrameType.Data)
            {
                body.Write(frame.Payload);
            }
            else if (frame.Type == Http2FrameType.RstStream)
            {
                return new RawHttp2Response(status, headers, body.ToArray(), trailers, frame.ErrorCode);
            }
            if (frame.Type is Http2FrameType.Headers or Http2FrameType.Data && frame.Has(Http2FrameFlags.EndStream))
            {
                return new RawHttp2Response(status, headers, body.ToArray(), trailers, null);
            }
        }
    }

    /// <summary>Reads until RST_STREAM on <paramref name="streamId"/> and returns its code.</summary>
    public async Task<Http2ErrorCode> ReadResetAsync(int streamId)
    {
        while (true)
        {
            RawFrame frame = await ReadStreamFrameAsync(streamId);
            if (frame.Type == Http2FrameType.RstStream && frame.StreamId == streamId)
            {
                return frame.ErrorCode;
            }
            if (frame.Type == Http2FrameType.GoAway)
            {
                throw new InvalidOperationException($"GOAWAY {frame.ErrorCode} instead of RST_STREAM on {streamId}");
            }
        }
    }

    /// <summary>Reads until GOAWAY (skipping other frames) and returns it; then the server must close.</summary>
    public async Task<RawFrame> ReadGoAwayAsync()
    {
        while (true)
        {
            RawFrame frame = await ReadFrameAsync();
            if (frame.Type == Http2FrameType.GoAway)
            {
                return frame;
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Socket.Dispose();
        _encoder.Dispose();
        _decoder.Dispose();
        return ValueTask.CompletedTask;
    }

    private struct ListSink : IHpackFieldSink
    {
        public ListSink()
        {
        }

        public List<(string Name, string Value)> Fields { get; } = [];

        public readonly void OnField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed) =>
            Fields.Add((Encoding.ASCII.GetString(name), Encoding.Latin1.GetString(value)));
    }
}
