using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;

namespace Meshy.Engine.Transport;

/// <summary>
/// One reusable scatter/gather send: every segment of a multi-segment buffer goes to the kernel in a
/// single <c>sendmsg</c> (the segment list is reused, the event args are reused), so forwarding a
/// 64 KiB read that spans four pipe segments costs one system call and no allocation.
/// Not thread-safe: one send at a time, as a <see cref="SocketSender"/> guarantees.
/// </summary>
internal sealed class GatheredSendOperation : SocketAsyncEventArgs, IValueTaskSource<int>
{
    private readonly List<ArraySegment<byte>> _segments = new(8);
    private ManualResetValueTaskSourceCore<int> _completion = new() { RunContinuationsAsynchronously = false };

    public GatheredSendOperation()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    /// <summary>
    /// Fills the segment list from <paramref name="buffer"/>; false when a segment is not backed by an
    /// array (the caller then sends segment by segment).
    /// </summary>
    public bool TryPrepare(in ReadOnlySequence<byte> buffer)
    {
        _segments.Clear();
        foreach (ReadOnlyMemory<byte> memory in buffer)
        {
            if (!MemoryMarshal.TryGetArray(memory, out ArraySegment<byte> segment))
            {
                _segments.Clear();
                return false;
            }
            if (segment.Count > 0)
            {
                _segments.Add(segment);
            }
        }
        // NOTE: the BufferList setter copies the list into the args; assigning it each time is the API.
        BufferList = _segments;
        return true;
    }

    /// <summary>Starts the send; the result is the number of bytes the kernel took.</summary>
    public ValueTask<int> SendAsync(Socket socket)
    {
        _completion.Reset();
        if (!socket.SendAsync(this))
        {
            Complete();
        }
        return new ValueTask<int>(this, _completion.Version);
    }

    /// <summary>Drops references to the caller's buffers once a send is done.</summary>
    public void Release()
    {
        BufferList = null;
        _segments.Clear();
    }

    protected override void OnCompleted(SocketAsyncEventArgs e) => Complete();

    private void Complete()
    {
        if (SocketError == SocketError.Success)
        {
            _completion.SetResult(BytesTransferred);
        }
        else
        {
            _completion.SetException(new SocketException((int)SocketError));
        }
    }

    int IValueTaskSource<int>.GetResult(short token) => _completion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);
}
