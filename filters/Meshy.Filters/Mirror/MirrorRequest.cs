using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using Meshy.Engine.Http;
using Meshy.Engine.Tasks;
using Meshy.Engine.Transport;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.LoadBalancing;
using Meshy.Engine.Upstream.Pools;
using Meshy.Filters.Http1;
using Meshy.Filters.Router;

namespace Meshy.Filters.Mirror;

/// <summary>
/// One copy of a request with a body, or a batch of copies without one, to a mirror cluster, and the
/// worker that sends it: an endpoint by the cluster's balancer, a pooled HTTP/1.1 connection, the copied
/// head, the body from the <see cref="MirrorWindow"/> as the primary streams it, then the answers read and
/// dropped (drained, so the connection is reused).
/// </summary>
/// <remarks>
/// <para>Off the primary's path: the primary copies the head (<see cref="Prepare"/>) and signals the worker
/// (<see cref="Start"/>), which runs on the primary's thread up to its first wait (taking an idle pooled
/// connection and handing the head to the kernel: microseconds, never a wait for the mirror), then wherever
/// its I/O completes. A hop to the thread pool per copy cost more CPU than the copy itself (mirrored requests
/// per second went from 0.4× to 0.6× of the plain route's when it was removed). The body reaches it through
/// the window.
/// Workers are pooled per mirror cluster and each runs one long-lived loop, so a copy allocates nothing in
/// steady state.</para>
/// <para>Batches: GET, HEAD and OPTIONS copies without a body made in the same turn of the socket engine (same rule) go out
/// together, pipelined on one connection: one send for all their heads, their answers read in order. Each
/// copy on its own connection cost a send and a receive of its own, and over loopback a send is most of a
/// copy's cost. The batch starts at the end of the turn (<see cref="EpollEngine.QueueAfterEvents"/>); it
/// holds at most <see cref="MaxBatch"/> copies, shares one timeout, and a slow mirror delays only the copies
/// of its own batch: the next turn's copies take another connection.</para>
/// <para>Two owners: the worker (until its copy ends) and, for a request with a body, the primary's
/// <see cref="MirrorTeeBody"/> (until the primary exchange completes). The last to let go returns it.</para>
/// <para>Stopping: the mirror timeout (a timer) or an abandon (primary side) reset the copy's connection and
/// cancel its waits. A stopped copy's cancellation source is never reused, so a late cancel cannot reach the
/// next copy.</para>
/// </remarks>
internal sealed partial class MirrorRequest : IValueTaskSource<bool>, IThreadPoolWorkItem, IDisposable
{
    /// <summary>Copies in one batch at most: bounds how long the last one waits behind the others.</summary>
    public const int MaxBatch = 32;

    private readonly MirrorRegistry _registry;
    private readonly MirrorClusterState _state;
    private readonly HttpRequestHead _head = new();
    private readonly HttpResponseHead _response = new();
    private readonly Http1OutputBuffer _batch = new();
    private readonly HttpMethodKind[] _batchMethods = new HttpMethodKind[MaxBatch];
    private int _copies;
    private readonly MirrorTeeBody _tee = new();
    private readonly Lock _sync = new();
    private readonly ITimer _timer;
    private ManualResetValueTaskSourceCore<bool> _start = new() { RunContinuationsAsynchronously = false };
    private CancellationTokenSource _cancel = new();
    private MirrorSettings? _settings;
    private bool _hasBody;
    private int _owners;

    // Guarded by _sync: the copy's connection while it has one, why it was stopped, and when it times out.
    private UpstreamConnection? _connection;
    private MirrorStop _stop;
    private long _deadline = long.MaxValue;

    public MirrorRequest(MirrorRegistry registry, MirrorClusterState state)
    {
        _registry = registry;
        _state = state;
        Window = new MirrorWindow(registry.WindowCapacity);
        _timer = registry.Time.CreateTimer(static s => ((MirrorRequest)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _ = LoopAsync();
    }

    /// <summary>The body buffer between the primary and this copy.</summary>
    public MirrorWindow Window { get; }

    /// <summary>
    /// Copies <paramref name="request"/> as the router will send it: the rule's <c>rewrite</c> and request header
    /// edits applied (Envoy shadows what its router sends), then <c>-shadow</c> appended to the host. Returns
    /// the tee to put in place of <paramref name="body"/>, when there is one.
    /// </summary>
    public MirrorTeeBody? Prepare(MirrorSettings settings, HttpRequestHead request, IHttpBodySource? body, RouteRule? rule, RouteMatch match)
    {
        _settings = settings;
        _hasBody = body is not null;
        _owners = _hasBody ? 2 : 1;
        lock (_sync)
        {
            if (_stop != MirrorStop.None || !_cancel.TryReset())
            {
                // A stopped copy's source may still be cancelled late (its cancel is queued): never reuse it.
                _cancel = new CancellationTokenSource();
            }
            _stop = MirrorStop.None;
        }
        if (body is null)
        {
            _copies = 0;
            _batch.Clear();
            AppendCopy(request, rule, match);
            return null;
        }
        _copies = 1;
        CopyHead(request, rule, match);
        Window.Start();
        _tee.Start(body, this);
        return _tee;
    }

    /// <summary>Lets the worker send the prepared copy; it runs on the caller's thread until it first waits.</summary>
    public void Start() => _start.SetResult(true);

    /// <summary>
    /// Adds a copy without a body to this batch, which has not started yet (the caller holds its cluster's
    /// lock); false when the batch is for another rule or snapshot, or full.
    /// </summary>
    public bool TryAppend(MirrorSettings settings, HttpRequestHead request, RouteRule? rule, RouteMatch match)
    {
        if (_hasBody || !ReferenceEquals(settings, _settings) || _copies == MaxBatch)
        {
            return false;
        }
        AppendCopy(request, rule, match);
        return true;
    }

    /// <summary>The end of the turn that opened the batch: no more copies join it, and it starts.</summary>
    void IThreadPoolWorkItem.Execute()
    {
        _state.CloseBatch(this);
        Start();
    }

    /// <summary>
    /// Gives the copy up (primary side): its body read fails, its connection is reset and its waits are
    /// cancelled. Counted <c>abandoned</c> unless the copy already ended.
    /// </summary>
    public void Abandon()
    {
        UpstreamConnection? connection;
        CancellationTokenSource cancel;
        lock (_sync)
        {
            if (_stop == MirrorStop.None)
            {
                _stop = MirrorStop.Abandoned;
            }
            connection = _connection;
            cancel = _cancel;
        }
        // Only now: the failed read wakes the copy (on the thread pool), whose end must already see it abandoned.
        Window.FailWriter();
        connection?.Abort();
        // Cancelling runs the copy's continuations; on the thread pool, not on the primary's thread.
        ThreadPool.UnsafeQueueUserWorkItem(static c => CancelQuietly(c), cancel, preferLocal: false);
    }

    /// <summary>One owner lets go; the last returns the worker to its cluster's pool.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _owners) == 0)
        {
            _state.Return(this);
        }
    }

    /// <summary>Frees the buffers of a worker no longer pooled.</summary>
    public void Dispose()
    {
        _timer.Dispose();
        _head.Dispose();
        _response.Dispose();
        _batch.Dispose();
    }

    bool IValueTaskSource<bool>.GetResult(short token)
    {
        bool result = _start.GetResult(token);
        _start.Reset();
        return result;
    }

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _start.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _start.OnCompleted(continuation, state, token, flags);

    private async ValueTask LoopAsync()
    {
        while (true)
        {
            await new ValueTask<bool>(this, _start.Version).ConfigureAwait(false);
            await RunAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Sends the prepared copy and counts its outcome. Never throws: the loop must live on.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    private async ValueTask RunAsync()
    {
        MirrorSettings settings = _settings!;
        MirrorResult result = MirrorResult.Failed;
        Http1PooledConnection? lease = null;
        EndpointSnapshot? endpoint = null;
        bool reusable = false;
        int sent = 0;
        Arm(settings.Timeout);
        try
        {
            CancellationToken cancellationToken = _cancel.Token;

            // 1. an endpoint by the mirror cluster's balancer (unavailable ones are skipped)
            var balancing = new LoadBalancerContext(_registry.Time.GetUtcNow().UtcTicks);
            endpoint = settings.LoadBalancer.Pick(in balancing);
            if (endpoint is null)
            {
                LogNoEndpoint(_registry.Logger, settings.Cluster.Name);
                return;
            }

            // 2. a connection of the shared pool (its limits hold for copies too)
            Http1PoolResult acquired = await _registry.Pools.GetPool(endpoint.State)
                .AcquireAsync(endpoint, settings.PoolSettings, _registry.Connector, cancellationToken)
                .ConfigureAwait(false);
            switch (acquired.Status)
            {
                case Http1PoolStatus.Overflow:
                    result = MirrorResult.Skipped;
                    LogSkipped(_registry.Logger, settings.Cluster.Name, "no connection and the pending queue is full");
                    return;
                case Http1PoolStatus.ConnectFailed:
                    LogConnectFailed(_registry.Logger, settings.Cluster.Name, endpoint.Address, acquired.Failure, acquired.SocketError);
                    return;
                case Http1PoolStatus.Canceled:
                    return;
            }
            lease = acquired.Connection!;
            endpoint.State.RequestStarted();
            Attach(lease.Connection);
            Http1ClientCodec codec = Http1ClientCodec.For(lease);

            if (!_hasBody)
            {
                // 3. the batch: every head in one send, then the answers in order, read and dropped
                await lease.Connection.Sender.SendAsync(_batch.Written, cancellationToken).ConfigureAwait(false);
                bool closes = false;
                while (sent < _copies && !closes)
                {
                    if (!await codec.ReadResponseHeadAsync(_batchMethods[sent], _response, cancellationToken).ConfigureAwait(false))
                    {
                        LogFailed(_registry.Logger, settings.Cluster.Name, endpoint.Address, "end of stream", "closed before a response head");
                        return;
                    }
                    sent++;
                    if (_response.HasBody)
                    {
                        await DrainAsync(codec.ResponseBody, cancellationToken).ConfigureAwait(false);
                    }
                    closes = _response.UpstreamCloses;
                }
                if (sent < _copies)
                {
                    LogFailed(_registry.Logger, settings.Cluster.Name, endpoint.Address, "end of stream", "the mirror closed the connection before answering every pipelined copy");
                }
                reusable = !closes;
                return;
            }

            // 3. the copy: head, then the body as the primary streams it
            bool chunked = await codec.SendRequestHeadAsync(_head, cancellationToken).ConfigureAwait(false);
            await codec.SendRequestBodyAsync(Window, chunked, cancellationToken).ConfigureAwait(false);

            // 4. the answer, read and dropped
            if (!await codec.ReadResponseHeadAsync(_head.Method, _response, cancellationToken).ConfigureAwait(false))
            {
                LogFailed(_registry.Logger, settings.Cluster.Name, endpoint.Address, "end of stream", "closed before a response head");
                return;
            }
            sent = 1;
            if (_response.HasBody)
            {
                await DrainAsync(codec.ResponseBody, cancellationToken).ConfigureAwait(false);
            }
            reusable = codec.RequestSent && !_response.UpstreamCloses;
        }
        catch (Exception ex)
        {
            if (sent < _copies && CurrentStop() != MirrorStop.Abandoned)
            {
                LogFailed(_registry.Logger, settings.Cluster.Name, endpoint?.Address ?? "-", ex.GetType().Name, ex.Message);
            }
        }
        finally
        {
            // 5. the outcome; then the worker lets go (last: another copy may start on it right after)
            MirrorStop stop = Disarm();
            if (stop == MirrorStop.Abandoned && sent == 0)
            {
                result = MirrorResult.Abandoned;
                LogAbandoned(_registry.Logger, settings.Cluster.Name);
            }
            if (lease is not null)
            {
                lease.Pool.Release(lease, reusable && stop == MirrorStop.None);
                endpoint!.State.RequestFinished();
            }
            if (_hasBody)
            {
                Window.CompleteReader();
            }
            // Each copy of the batch: sent if answered, else what stopped the rest.
            for (int copy = 0; copy < _copies; copy++)
            {
                _state.Exit();
                _state.Record(copy < sent ? MirrorResult.Sent : result);
            }
            Release();
        }
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    private static async ValueTask DrainAsync(Http1BodyReader body, CancellationToken cancellationToken)
    {
        while (true)
        {
            HttpBodyChunk chunk = await body.ReadAsync(cancellationToken).ConfigureAwait(false);
            body.Advance();
            if (chunk.IsEnd)
            {
                return;
            }
        }
    }

    /// <summary>Starts the mirror timeout. NOTE: the deadline has half the timeout of slack, so a callback of an earlier copy is ignored.</summary>
    private void Arm(TimeSpan timeout)
    {
        lock (_sync)
        {
            _deadline = _registry.Time.GetTimestamp() + (long)(timeout.TotalSeconds / 2 * _registry.Time.TimestampFrequency);
        }
        _timer.Change(timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Stops the timeout and forgets the connection (it goes back to the pool next); returns why the copy was stopped.</summary>
    private MirrorStop Disarm()
    {
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        lock (_sync)
        {
            _deadline = long.MaxValue;
            _connection = null;
            return _stop;
        }
    }

    /// <summary>Records the copy's connection, so a stop can reset it; resets it at once when the copy was stopped meanwhile.</summary>
    private void Attach(UpstreamConnection connection)
    {
        bool stopped;
        lock (_sync)
        {
            _connection = connection;
            stopped = _stop != MirrorStop.None;
        }
        if (stopped)
        {
            connection.Abort();
        }
    }

    private MirrorStop CurrentStop()
    {
        lock (_sync)
        {
            return _stop;
        }
    }

    private void OnTimer()
    {
        UpstreamConnection? connection;
        CancellationTokenSource cancel;
        lock (_sync)
        {
            if (_registry.Time.GetTimestamp() < _deadline || _stop != MirrorStop.None)
            {
                return;
            }
            _stop = MirrorStop.TimedOut;
            connection = _connection;
            cancel = _cancel;
        }
        LogTimedOut(_registry.Logger, _settings?.Cluster.Name ?? "-");
        connection?.Abort();
        CancelQuietly(cancel);
    }

    private static void CancelQuietly(CancellationTokenSource cancel)
    {
        try
        {
            cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Nothing waits on it any more.
        }
    }

    /// <summary>Copies a request without a body into the batch: its head as it goes on the wire, and its method (for its answer).</summary>
    private void AppendCopy(HttpRequestHead request, RouteRule? rule, RouteMatch match)
    {
        CopyHead(request, rule, match);
        Http1RequestWriter.WriteHead(_head, _batch);
        _batchMethods[_copies++] = _head.Method;
    }

    /// <summary>Copies the head, applies the rule's edits as the router will, and marks the host as a shadow's.</summary>
    private void CopyHead(HttpRequestHead request, RouteRule? rule, RouteMatch match)
    {
        HttpRequestHead head = _head;
        head.Reset();
        head.SetMethod(request.Method, request.MethodBytes);
        head.Version = request.Version;
        head.SetAuthority(request.Authority);
        head.SetPath(request.Path);
        if (request.HasQuery)
        {
            head.SetQuery(request.Query);
        }
        head.Headers.AddAll(request.Headers);
        head.HasBody = request.HasBody;
        head.ContentLength = request.ContentLength;
        rule?.Rewrite?.Apply(head, match);
        rule?.RequestHeaders?.Apply(head.Headers);
        ShadowHost.Apply(head);
    }

    private enum MirrorStop
    {
        None,
        Abandoned,
        TimedOut,
    }
}
