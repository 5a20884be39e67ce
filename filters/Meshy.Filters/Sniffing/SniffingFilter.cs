using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Meshy.Engine.Logging;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Tasks;
using Microsoft.Extensions.Logging;

namespace Meshy.Filters.Sniffing;

/// <summary>
/// The terminal filter of <c>protocol = "auto"</c> listeners: peeks at the first bytes (without consuming
/// them), then hands the whole connection to the HTTP connection manager (HTTP/1.x request line or
/// HTTP/2 preface) or to the TCP side (anything else, or silence).
/// </summary>
/// <remarks>
/// Two waits. Silence lasts at most <c>protocol_detection_timeout</c> (default 100ms): in
/// server-speaks-first protocols (SMTP, MySQL, FTP) the client sends nothing until the server has, so
/// waiting longer would deadlock both; the TCP side connects at once and the greeting flows. Once the
/// client has sent the start of an HTTP opening ("GE"), it is speaking first, so the rest gets what an
/// HTTP server gives a request head: <c>request_header_timeout</c>. Only then is it passed through.
/// </remarks>
internal sealed partial class SniffingFilter : INetworkFilter
{
    private readonly INetworkFilter _http;
    private readonly INetworkFilter _tcp;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _silenceWait;
    private readonly TimeSpan _openingWait;

    /// <summary>Sniffs, then runs <paramref name="http"/> or <paramref name="tcp"/> as the connection's terminal filter.</summary>
    /// <remarks>
    /// <paramref name="silenceWait"/>: how long the first bytes may take (<see cref="TimeSpan.Zero"/>: however long).
    /// <paramref name="openingWait"/>: how long the rest of a started HTTP opening may take.
    /// </remarks>
    public SniffingFilter(INetworkFilter http, INetworkFilter tcp, ILogger logger, TimeSpan silenceWait, TimeSpan openingWait, TimeProvider? time = null)
    {
        _http = http;
        _tcp = tcp;
        _logger = logger;
        _silenceWait = silenceWait;
        _openingWait = openingWait;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The HTTP side (the HTTP connection manager of the listener's routes).</summary>
    public INetworkFilter Http => _http;

    /// <summary>The TCP side (the listener's cluster, or its original destinations).</summary>
    public INetworkFilter Tcp => _tcp;

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public async ValueTask<FilterStatus> OnConnectionAsync(ConnectionContext connection)
    {
        SniffedProtocol protocol = await SniffAsync(connection.Transport.Input).ConfigureAwait(false);
        LogSniffed(connection.Id, protocol);
        INetworkFilter next = protocol is SniffedProtocol.Http1 or SniffedProtocol.Http2 ? _http : _tcp;
        return await next.OnConnectionAsync(connection).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads until the first bytes decide, the wait ends, or the client ends its side; every byte read
    /// stays in the pipe for the filter that serves the connection.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    internal async ValueTask<SniffedProtocol> SniffAsync(PipeReader input)
    {
        using var timeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        if (_silenceWait > TimeSpan.Zero)
        {
            timeout.CancelAfter(_silenceWait);
        }
        bool openingStarted = false;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                Rewind(input);
                return SniffedProtocol.Tcp;
            }
            SniffedProtocol protocol = result.IsCanceled ? SniffedProtocol.Tcp : ProtocolSniffer.Detect(result.Buffer);
            if (protocol != SniffedProtocol.Undecided || result.IsCompleted)
            {
                // consumed = examined = start: the next ReadAsync returns these same bytes at once.
                input.AdvanceTo(result.Buffer.Start);
                return protocol == SniffedProtocol.Undecided ? SniffedProtocol.Tcp : protocol;
            }
            if (!openingStarted)
            {
                // The client speaks first: from now on the wait is the one for a request head.
                openingStarted = true;
                timeout.CancelAfter(_openingWait);
            }
            // Nothing consumed, everything examined: the next ReadAsync waits for new bytes.
            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    /// <summary>
    /// After a timed-out read nothing is consumed, so no byte is lost. NOTE: a partial HTTP opening
    /// ("GE") that was examined stays examined: the TCP side sees it together with the client's next
    /// bytes, not before. A pipe cannot be "un-examined" (System.IO.Pipelines resets the reader's
    /// awaitable only when a writer flushes), and a client that sends a prefix of an HTTP method and then
    /// waits for the server does not exist among the protocols this serves.
    /// </summary>
    private static void Rewind(PipeReader input)
    {
        if (input.TryRead(out ReadResult result))
        {
            input.AdvanceTo(result.Buffer.Start);
        }
    }

    [LoggerMessage(EventId = EventIds.SniffedProtocol, Level = LogLevel.Debug, Message = "connection {ConnectionId}: sniffed {Protocol}")]
    private partial void LogSniffed(long connectionId, SniffedProtocol protocol);
}
