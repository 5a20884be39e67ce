using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using Meshy.Engine.Tasks;

namespace Meshy.Engine.Transport;

/// <summary>
/// One reusable socket connect with a timeout and a cancellation token, completing with the socket's
/// error as a value: a refused or timed-out connect costs no exception. Pooled by <see cref="UpstreamConnector"/>.
/// </summary>
/// <remarks>
/// The timeout is a <see cref="CancellationTokenSource"/> owned by the operation and reset after each
/// use. Disposing a token registration waits for a callback already running, so once
/// <see cref="ConnectAsync"/> returns no callback of that connect can touch the next one.
/// </remarks>
internal sealed class ConnectOperation : SocketAsyncEventArgs, IValueTaskSource<SocketError>
{
    internal const int NotAborted = 0;
    private const int AbortedByTimeout = 1;
    private const int AbortedByCaller = 2;

    private static readonly Action<object?> OnTimeout = static state => ((ConnectOperation)state!).Abort(AbortedByTimeout);
    private static readonly Action<object?> OnCanceled = static state => ((ConnectOperation)state!).Abort(AbortedByCaller);

    private ManualResetValueTaskSourceCore<SocketError> _core;
    private CancellationTokenSource _timeout = new();
    private int _aborted;

    public ConnectOperation()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    /// <summary>
    /// Connects <paramref name="socket"/> to <paramref name="endPoint"/>. The outcome is a value:
    /// <see cref="ConnectFailure.None"/>, or the failure with the socket's error.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public async ValueTask<(ConnectFailure Failure, SocketError Error)> ConnectAsync(
        Socket socket, EndPoint endPoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _core.Reset();
        _aborted = NotAborted;
        RemoteEndPoint = endPoint;
        CancellationTokenRegistration timeoutRegistration = default;
        CancellationTokenRegistration callerRegistration = default;
        SocketError error;
        try
        {
            if (timeout > TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
            {
                timeoutRegistration = _timeout.Token.UnsafeRegister(OnTimeout, this);
                _timeout.CancelAfter(timeout);
            }
            if (cancellationToken.CanBeCanceled)
            {
                callerRegistration = cancellationToken.UnsafeRegister(OnCanceled, this);
            }
            if (Volatile.Read(ref _aborted) != NotAborted)
            {
                // The caller's token was already cancelled: its callback ran inside UnsafeRegister.
                error = SocketError.OperationAborted;
            }
            else
            {
                if (!socket.ConnectAsync(this))
                {
                    _core.SetResult(SocketError);
                }
                error = await new ValueTask<SocketError>(this, _core.Version).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or NotSupportedException or InvalidOperationException)
        {
            // Thrown synchronously before any IO (bad address family, socket already closed).
            error = ex is SocketException socketException ? socketException.SocketErrorCode : SocketError.SocketError;
        }
        finally
        {
            await timeoutRegistration.DisposeAsync().ConfigureAwait(false);
            await callerRegistration.DisposeAsync().ConfigureAwait(false);
            if (!_timeout.TryReset())
            {
                // It fired: a cancelled source cannot be reused.
                _timeout.Dispose();
                _timeout = new CancellationTokenSource();
            }
            RemoteEndPoint = null;
        }
        return Classify(error, Volatile.Read(ref _aborted));
    }

    // An abort wins even over Success: the abort may have closed the socket just as the handshake
    // completed, and the connect did end past its deadline (or after the caller gave up).
    internal static (ConnectFailure, SocketError) Classify(SocketError error, int aborted) => (error, aborted) switch
    {
        (_, AbortedByCaller) => (ConnectFailure.Canceled, SocketError.OperationAborted),
        (_, AbortedByTimeout) => (ConnectFailure.Timeout, SocketError.TimedOut),
        (SocketError.Success, _) => (ConnectFailure.None, SocketError.Success),
        (SocketError.TimedOut, _) => (ConnectFailure.Timeout, error),
        (SocketError.ConnectionRefused, _) => (ConnectFailure.Refused, error),
        _ => (ConnectFailure.Failed, error),
    };

    private void Abort(int reason)
    {
        if (Interlocked.CompareExchange(ref _aborted, reason, NotAborted) == NotAborted)
        {
            // Completes the pending connect with OperationAborted; a no-op once it has completed.
            Socket.CancelConnectAsync(this);
        }
    }

    protected override void OnCompleted(SocketAsyncEventArgs e) => _core.SetResult(e.SocketError);

    SocketError IValueTaskSource<SocketError>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<SocketError>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<SocketError>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
