using System.Buffers;
using System.Net;
using System.IO.Pipelines;
using Meshy.Engine.Http;
using Meshy.Engine.Pipeline;
using Meshy.Filters.Http2.Connection;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Http2Proxy;

/// <summary>A stream's flow-control wait and its request body, without a connection around them.</summary>
public sealed class Http2StreamTests
{
    private sealed class Owner : IHttp2StreamOwner
    {
        public List<int> Consumed { get; } = [];

        public void OnRequestBodyConsumed(Http2Stream stream, int bytes) => Consumed.Add(bytes);
    }

    private static Http2Stream NewStream(Owner owner)
    {
        var pipe = new Pipe();
        var connection = new ConnectionContext
        {
            Id = 1,
            Snapshot = TestSnapshots.Snapshot([]),
            Listener = null!,
            Transport = new DuplexPipe(pipe.Reader, pipe.Writer),
            Sender = null!,
            RemoteEndPoint = new IPEndPoint(IPAddress.Loopback, 1),
            LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 2),
            Draining = CancellationToken.None,
            Closing = CancellationToken.None,
        };
        return new Http2Stream(connection, TimeProvider.System, owner);
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }

    [Fact]
    public async Task WindowWait_WokenWithTrue_Continues_AndWithFalse_Stops()
    {
        using Http2Stream stream = NewStream(new Owner());
        stream.Open(1, sendWindow: 0, receiveWindow: 65_535);

        ValueTask<bool> first = stream.WaitForWindowUnsynchronized();
        Assert.False(first.IsCompleted);
        stream.WakeUnsynchronized(true);
        Assert.True(await first);

        ValueTask<bool> second = stream.WaitForWindowUnsynchronized();
        stream.WakeUnsynchronized(false);
        Assert.False(await second);

        stream.WakeUnsynchronized(true);      // nobody waits: nothing happens
    }

    [Fact]
    public void Open_AppliesTheWindowsAndForgetsThePreviousStream()
    {
        using Http2Stream stream = NewStream(new Owner());
        stream.Open(1, sendWindow: 100, receiveWindow: 200);
        stream.RemoteClosed = true;
        stream.SendWindow.TryConsume(60);
        stream.Recycle();

        stream.Open(3, sendWindow: 1_000, receiveWindow: 2_000);

        Assert.Equal(3, stream.Id);
        Assert.False(stream.RemoteClosed);
        Assert.Equal(1_000, stream.SendWindow.Size);
        Assert.Equal(2_000, stream.ReceiveWindow);
        Assert.Equal(-1, stream.ContentLength);
    }

    [Fact]
    public async Task Body_AppendedDataIsReadThenCreditedOnAdvance_AndEndIsSeen()
    {
        var owner = new Owner();
        using Http2Stream stream = NewStream(owner);
        stream.Open(1, 65_535, 65_535);
        Http2RequestBody body = stream.Body;

        body.Append(SequenceShapes.FromChunks("hel"u8.ToArray(), "lo"u8.ToArray()));
        HttpBodyChunk chunk = await body.ReadAsync(CancellationToken.None);
        Assert.Equal("hello"u8.ToArray(), chunk.Data.ToArray());
        Assert.False(chunk.IsEnd);
        body.Advance();
        body.BeginTrailers().Add("x-sum"u8, "5"u8);
        body.End();
        HttpBodyChunk end = await body.ReadAsync(CancellationToken.None);
        body.Advance();

        Assert.True(end.IsEnd);
        Assert.True(body.IsCompleted);
        Assert.Equal([5], owner.Consumed);
        Assert.Equal(5, body.BytesRead);
        Assert.Equal(1, body.Trailers!.Count);
    }

    [Fact]
    public async Task Body_Failed_ReadThrows_AndCancelledReadThrowsWithoutConsuming()
    {
        using Http2Stream stream = NewStream(new Owner());
        stream.Open(1, 65_535, 65_535);

        ValueTask<HttpBodyChunk> pending = stream.Body.ReadAsync(CancellationToken.None);
        stream.Body.CancelPendingRead();
        await Assert.ThrowsAsync<OperationCanceledException>(async () => await pending);

        stream.Body.Fail(new IOException("reset"));
        await Assert.ThrowsAsync<IOException>(async () => await stream.Body.ReadAsync(CancellationToken.None));

        stream.Recycle();                               // reusable for the next stream
        stream.Open(3, 65_535, 65_535);
        stream.Body.Append(new ReadOnlySequence<byte>("x"u8.ToArray()));
        stream.Body.End();
        Assert.True((await stream.Body.ReadAsync(CancellationToken.None)).IsEnd);
    }

    [Fact]
    public async Task Body_EndedOrFailedBeforeAnyRead_TheFirstReadStillSeesIt_AndTheStreamIsReusable()
    {
        using Http2Stream stream = NewStream(new Owner());
        stream.Open(1, 65_535, 65_535);

        // A bodiless stream never takes a block; a read that comes anyway sees the end.
        stream.Body.End();
        HttpBodyChunk end = await stream.Body.ReadAsync(CancellationToken.None).AsTask().WaitAsync(Loopback.DefaultTimeout);
        Assert.True(end.IsEnd);
        Assert.True(end.Data.IsEmpty);
        stream.Body.Advance();
        stream.Recycle();

        stream.Open(3, 65_535, 65_535);
        stream.Body.Fail(new IOException("reset before the body"));
        await Assert.ThrowsAsync<IOException>(() => stream.Body.ReadAsync(CancellationToken.None).AsTask().WaitAsync(Loopback.DefaultTimeout));
        stream.Recycle();

        // Ended untouched and recycled without a read: the next stream's body flows as usual.
        stream.Open(5, 65_535, 65_535);
        stream.Body.End();
        stream.Recycle();
        stream.Open(7, 65_535, 65_535);
        stream.Body.Append(new ReadOnlySequence<byte>("abc"u8.ToArray()));
        stream.Body.End();
        HttpBodyChunk data = await stream.Body.ReadAsync(CancellationToken.None).AsTask().WaitAsync(Loopback.DefaultTimeout);
        Assert.Equal("abc"u8.ToArray(), data.Data.ToArray());
        Assert.True(data.IsEnd);
    }

    [Fact]
    public async Task Body_ReadWaitingOnAnEmptyBuffer_WakesWhenTheFrameLoopEndsIt()
    {
        using Http2Stream stream = NewStream(new Owner());
        stream.Open(1, 65_535, 65_535);

        ValueTask<HttpBodyChunk> pending = stream.Body.ReadAsync(CancellationToken.None);
        Assert.False(pending.IsCompleted);
        stream.Body.End();

        Assert.True((await pending.AsTask().WaitAsync(Loopback.DefaultTimeout)).IsEnd);
    }
}
