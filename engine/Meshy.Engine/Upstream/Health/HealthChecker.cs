using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Meshy.Engine.Logging;
using Microsoft.Extensions.Logging;

namespace Meshy.Engine.Upstream.Health;

/// <summary>
/// Probes one endpoint of one cluster every <c>interval</c> (± <see cref="HealthCheckSettings.Jitter"/>), each
/// probe on a connection of its own (never a pooled request connection, so a probe neither waits behind
/// traffic nor hides a broken pool) and bounded by <c>timeout</c>. <c>unhealthy_threshold</c> failures in a
/// row take the endpoint out (<see cref="EndpointState.Healthy"/>), <c>healthy_threshold</c> passes in a row
/// bring it back. Kept by <see cref="HealthMonitor"/> for as long as the endpoint and its check remain, so a
/// reload keeps its runs; new settings apply from the next wait on.
/// </summary>
internal sealed partial class HealthChecker
{
    private const int MaxStatusLine = 1024;

    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private EndpointSnapshot _endpoint;
    private ClusterHealth _health;
    private HealthCheckSettings _settings;
    private CancellationTokenSource? _wait;
    private Task _loop = Task.CompletedTask;
    private int _passes;
    private int _failures;

    public HealthChecker(EndpointSnapshot endpoint, ClusterHealth health, HealthCheckSettings settings, TimeProvider time)
    {
        _endpoint = endpoint;
        _health = health;
        _settings = settings;
        _time = time;
    }

    /// <summary>The settings in force.</summary>
    public HealthCheckSettings Settings
    {
        get
        {
            lock (_lock)
            {
                return _settings;
            }
        }
    }

    /// <summary>Starts probing; the first probe comes after a random part of one interval, so endpoints do not start in step.</summary>
    public void Start() => _loop = RunAsync(_stop.Token);

    /// <summary>A reload kept the endpoint: its settings (and snapshot objects) may have changed; a changed interval cuts the current wait short.</summary>
    public void Update(EndpointSnapshot endpoint, ClusterHealth health, HealthCheckSettings settings)
    {
        lock (_lock)
        {
            bool rescheduled = settings.Interval != _settings.Interval;
            _endpoint = endpoint;
            _health = health;
            _settings = settings;
            if (rescheduled)
            {
                _wait?.Cancel();
            }
        }
    }

    /// <summary>Stops probing and waits for a probe in progress to end.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        // Off the caller's thread: Start runs under the monitor's lock.
        await Task.Yield();
        double firstWait = Random.Shared.NextDouble();
        while (!stop.IsCancellationRequested)
        {
            (EndpointSnapshot endpoint, ClusterHealth health, HealthCheckSettings settings) = Current();
            TimeSpan wait = firstWait >= 0 ? settings.Interval * firstWait : Jittered(settings.Interval);
            if (!await WaitAsync(wait, stop).ConfigureAwait(false))
            {
                continue;       // the interval changed: wait again with the new one
            }
            firstWait = -1;
            (endpoint, health, settings) = Current();
            (HealthCheckResult result, string? reason) = await ProbeAsync(endpoint, health.Name, settings, stop).ConfigureAwait(false);
            if (stop.IsCancellationRequested)
            {
                return;
            }
            Record(endpoint.State, health, settings, result, reason);
        }
    }

    private (EndpointSnapshot, ClusterHealth, HealthCheckSettings) Current()
    {
        lock (_lock)
        {
            return (_endpoint, _health, _settings);
        }
    }

    /// <summary>Waits <paramref name="delay"/>; false when a new interval cut it short.</summary>
    private async Task<bool> WaitAsync(TimeSpan delay, CancellationToken stop)
    {
        var wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
        lock (_lock)
        {
            _wait = wait;
        }
        try
        {
            await Task.Delay(delay, _time, wait.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            lock (_lock)
            {
                _wait = null;
            }
            wait.Dispose();
        }
    }

    private static TimeSpan Jittered(TimeSpan interval) =>
        interval * (1 + (((Random.Shared.NextDouble() * 2) - 1) * HealthCheckSettings.Jitter));

    private void Record(EndpointState state, ClusterHealth health, HealthCheckSettings settings, HealthCheckResult result, string? reason)
    {
        health.CountHealthCheck(result);
        if (result == HealthCheckResult.Success)
        {
            _failures = 0;
            if (!state.Healthy && ++_passes >= settings.HealthyThreshold)
            {
                _passes = 0;
                state.Healthy = true;
                LogHealthy(health.Logger, health.Name, state.Address, settings.HealthyThreshold);
            }
            return;
        }
        _passes = 0;
        LogProbeFailed(health.Logger, health.Name, state.Address, result, reason ?? "");
        if (state.Healthy && ++_failures >= settings.UnhealthyThreshold)
        {
            _failures = 0;
            state.Healthy = false;
            LogUnhealthy(health.Logger, health.Name, state.Address, settings.UnhealthyThreshold, result, reason ?? "");
        }
    }

    /// <summary>One probe: connect (TCP), or connect, <c>GET path</c> and read the status line (HTTP).</summary>
    private async Task<(HealthCheckResult, string?)> ProbeAsync(EndpointSnapshot endpoint, string cluster, HealthCheckSettings settings, CancellationToken stop)
    {
        using var timeout = new CancellationTokenSource(settings.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
        EndPoint target = endpoint.EndPoint;
        using Socket socket = target.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
            ? new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.NoDelay = true;
            await socket.ConnectAsync(target, linked.Token).ConfigureAwait(false);
            if (settings.Probe == HealthCheckProbe.Tcp)
            {
                return (HealthCheckResult.Success, null);
            }
            byte[] request = Encoding.ASCII.GetBytes(
                $"GET {settings.Path} HTTP/1.1\r\nHost: {cluster}\r\nuser-agent: meshy-health-check\r\naccept: */*\r\nconnection: close\r\n\r\n");
            await socket.SendAsync(request, SocketFlags.None, linked.Token).ConfigureAwait(false);
            int status = await ReadStatusAsync(socket, linked.Token).ConfigureAwait(false);
            return status is >= 200 and <= 299
                ? (HealthCheckResult.Success, null)
                : (HealthCheckResult.Failure, status < 0 ? "malformed or missing status line" : $"status {status}");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stop.IsCancellationRequested)
        {
            return (HealthCheckResult.Timeout, $"no answer within {settings.Timeout}");
        }
        catch (SocketException ex)
        {
            return (HealthCheckResult.Failure, ex.SocketErrorCode.ToString());
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            // IOException, a name that does not resolve, ...: the probe failed, the checker goes on.
            return (HealthCheckResult.Failure, ex.Message);
        }
    }

    /// <summary>The status code of the answer (<c>HTTP/1.x NNN</c>), or -1 when the peer closes first or sends something else.</summary>
    private static async Task<int> ReadStatusAsync(Socket socket, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[MaxStatusLine];
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }
            read += n;
            if (buffer.AsSpan(0, read).IndexOf("\r\n"u8) >= 0 || read >= 12)
            {
                break;
            }
        }
        return ParseStatus(buffer.AsSpan(0, read));
    }

    /// <summary><c>HTTP/1.1 200 OK</c> → 200; anything else → -1.</summary>
    internal static int ParseStatus(ReadOnlySpan<byte> line)
    {
        // HTTP-version SP 3DIGIT (RFC 9112 §4)
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[8] != (byte)' ')
        {
            return -1;
        }
        return Utf8Parser.TryParse(line.Slice(9, 3), out int status, out int consumed) && consumed == 3 && status is >= 100 and <= 999 ? status : -1;
    }

    [LoggerMessage(EventId = EventIds.HealthCheckUnhealthy, Level = LogLevel.Warning,
        Message = "cluster {Cluster}: endpoint {Endpoint} is unhealthy after {Threshold} failed health checks (last: {Result}, {Reason})")]
    private static partial void LogUnhealthy(ILogger logger, string cluster, string endpoint, int threshold, HealthCheckResult result, string reason);

    [LoggerMessage(EventId = EventIds.HealthCheckHealthy, Level = LogLevel.Information,
        Message = "cluster {Cluster}: endpoint {Endpoint} is healthy again after {Threshold} passed health checks")]
    private static partial void LogHealthy(ILogger logger, string cluster, string endpoint, int threshold);

    [LoggerMessage(EventId = EventIds.HealthCheckProbeFailed, Level = LogLevel.Debug,
        Message = "cluster {Cluster}: health check of {Endpoint} failed: {Result}, {Reason}")]
    private static partial void LogProbeFailed(ILogger logger, string cluster, string endpoint, HealthCheckResult result, string reason);
}
