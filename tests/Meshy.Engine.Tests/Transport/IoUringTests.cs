using System.Net.Sockets;
using Meshy.Engine.Transport;
using Meshy.Testing;

namespace Meshy.Engine.Tests.Transport;

/// <summary>
/// <see cref="IoUring"/> as the engine uses it, a batch of non-blocking receives in one call, over real loopback
/// sockets: each answers as <c>recv</c> would (bytes, nothing queued, the end, a reset) before the call returns.
/// </summary>
public sealed class IoUringTests
{
    private const int ECONNRESET = 104;

    [Fact]
    public void TryCreate_SetToZero_NoRing_SoReceivesStayPlainRecv()
    {
        Assert.Null(IoUring.TryCreate(8, setting: "0"));
    }

    [IoUringFact]
    public async Task Submit_FourSocketsInOneCall_EachAnswersAsRecvWould()
    {
        (Socket withBytes, Socket withBytesPeer) = await Loopback.ConnectPairAsync();
        (Socket empty, Socket emptyPeer) = await Loopback.ConnectPairAsync();
        (Socket ended, Socket endedPeer) = await Loopback.ConnectPairAsync();
        (Socket reset, Socket resetPeer) = await Loopback.ConnectPairAsync();
        Socket[] all = [withBytes, withBytesPeer, empty, emptyPeer, ended, endedPeer, reset, resetPeer];
        try
        {
            byte[] sent = "hello, batch"u8.ToArray();
            await Loopback.SendAllAsync(withBytesPeer, sent);
            endedPeer.Shutdown(SocketShutdown.Send);
            resetPeer.LingerState = new LingerOption(enable: true, seconds: 0);
            resetPeer.Close();
            await WaitUntilReadableAsync(withBytes, ended, reset);

            using IoUring ring = IoUring.TryCreate(8, setting: null)!;
            // Pinned: the kernel writes into them during Submit, long after each pointer was taken.
            byte[][] buffers = [.. Enumerable.Range(0, 4).Select(_ => GC.AllocateArray<byte>(64, pinned: true))];
            Socket[] receivers = [withBytes, empty, ended, reset];
            var results = new Results();
            unsafe
            {
                for (int i = 0; i < receivers.Length; i++)
                {
                    fixed (byte* buffer = buffers[i])
                    {
                        Assert.True(ring.TryQueueReceive((int)receivers[i].Handle, buffer, buffers[i].Length, (ulong)i));
                    }
                }
            }
            ring.Submit(ref results);

            Assert.Equal(4, results.Count);
            Assert.Equal(sent.Length, results.Values[0]);
            Assert.Equal(sent, buffers[0][..sent.Length]);
            Assert.Equal(-EpollInterop.EAgain, results.Values[1]);
            Assert.Equal(0, results.Values[2]);
            Assert.Equal(-ECONNRESET, results.Values[3]);
            Assert.Equal(0, ring.Queued);
        }
        finally
        {
            foreach (Socket socket in all)
            {
                socket.Dispose();
            }
        }
    }

    [IoUringFact]
    public void TryQueueReceive_BeyondCapacity_False_UntilSubmitted()
    {
        using IoUring ring = IoUring.TryCreate(2, setting: null)!;
        using var pair = new SocketPair();
        byte[] buffer = GC.AllocateArray<byte>(8, pinned: true);
        unsafe
        {
            fixed (byte* pointer = buffer)
            {
                for (int i = 0; i < ring.Capacity; i++)
                {
                    Assert.True(ring.TryQueueReceive((int)pair.Left.Handle, pointer, buffer.Length, (ulong)i));
                }
                Assert.False(ring.TryQueueReceive((int)pair.Left.Handle, pointer, buffer.Length, 99));
                var results = new Results();
                ring.Submit(ref results);
                Assert.Equal(ring.Capacity, results.Count);
                Assert.All(results.Values[..ring.Capacity], result => Assert.Equal(-EpollInterop.EAgain, result));
                Assert.True(ring.TryQueueReceive((int)pair.Left.Handle, pointer, buffer.Length, 0));
                ring.Submit(ref results);
                Assert.Equal(ring.Capacity + 1, results.Count);
            }
        }
    }

    /// <summary>Polls until every socket has something to read (bytes, the end or the reset arrived).</summary>
    private static async Task WaitUntilReadableAsync(params Socket[] sockets)
    {
        using var timeout = new CancellationTokenSource(Loopback.DefaultTimeout);
        while (!sockets.All(socket => socket.Poll(0, SelectMode.SelectRead)))
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    private struct Results : IoUring.ICompletion
    {
        public Results()
        {
        }

        public int[] Values { get; } = new int[16];

        public int Count { get; private set; }

        public void Complete(ulong userData, int result)
        {
            Values[(int)userData] = result;
            Count++;
        }
    }

    /// <summary>Two connected Unix sockets, nothing sent.</summary>
    private sealed class SocketPair : IDisposable
    {
        public SocketPair()
        {
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            string path = Path.Combine(Path.GetTempPath(), $"meshy-uring-{Guid.NewGuid():N}.sock");
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen();
            Right = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            Right.Connect(new UnixDomainSocketEndPoint(path));
            Left = listener.Accept();
            File.Delete(path);
        }

        public Socket Left { get; }

        public Socket Right { get; }

        public void Dispose()
        {
            Left.Dispose();
            Right.Dispose();
        }
    }
}
