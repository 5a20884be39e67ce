using Meshy.Engine.Logging;
using Meshy.Engine.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Meshy.Engine.Upstream.Health;

/// <summary>
/// The background half of upstream health, following every published snapshot: a
/// <see cref="HealthChecker"/> per endpoint of each cluster with a <c>health_check</c>, and a review timer per
/// cluster with an <c>outlier_detection</c> (<see cref="OutlierDetector.Review"/> every <c>interval</c>).
/// A reload starts what is new, stops what is gone (an endpoint whose check is removed counts as healthy
/// again), and hands what remains its new settings without losing its state.
/// </summary>
public sealed partial class HealthMonitor(SnapshotHolder holder, ClusterHealthRegistry registry, ILogger<HealthMonitor> logger) : IHostedService, IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Cluster, string Address), HealthChecker> _checkers = [];
    private readonly Dictionary<string, ReviewTimer> _reviews = new(StringComparer.Ordinal);
    private readonly List<Task> _stopping = [];
    private bool _stopped;

    /// <summary>Endpoints being probed now.</summary>
    public int CheckerCount
    {
        get
        {
            lock (_lock)
            {
                return _checkers.Count;
            }
        }
    }

    /// <summary>The settings the checker of <paramref name="address"/> in <paramref name="cluster"/> runs with, if it runs.</summary>
    public HealthCheckSettings? CheckerSettings(string cluster, string address)
    {
        lock (_lock)
        {
            return _checkers.TryGetValue((cluster, address), out HealthChecker? checker) ? checker.Settings : null;
        }
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        holder.Swapped += OnSwapped;
        Apply();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        holder.Swapped -= OnSwapped;
        Task[] stopping;
        lock (_lock)
        {
            _stopped = true;
            foreach (HealthChecker checker in _checkers.Values)
            {
                _stopping.Add(checker.StopAsync());
            }
            _checkers.Clear();
            foreach (ReviewTimer review in _reviews.Values)
            {
                review.Timer.Dispose();
            }
            _reviews.Clear();
            stopping = [.. _stopping];
            _stopping.Clear();
        }
        await Task.WhenAll(stopping).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    private void OnSwapped(ProxySnapshot previous, ProxySnapshot next) => Apply();

    /// <summary>Brings checkers and review timers in line with the current snapshot (always the current one, so publishes racing each other settle on the last).</summary>
    public void Apply()
    {
        ProxySnapshot snapshot = holder.Current;
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }
            ApplyChecksUnsynchronized(snapshot);
            ApplyReviewsUnsynchronized(snapshot);
            _stopping.RemoveAll(static t => t.IsCompleted);
        }
        registry.Prune(snapshot);
    }

    private void ApplyChecksUnsynchronized(ProxySnapshot snapshot)
    {
        var wanted = new HashSet<(string, string)>();
        foreach (ClusterSnapshot cluster in snapshot.Clusters.Values)
        {
            if (cluster.HealthCheck is not { } settings || cluster.Health is not { } health)
            {
                continue;
            }
            foreach (EndpointSnapshot endpoint in cluster.Endpoints)
            {
                var key = (cluster.Name, endpoint.Address);
                wanted.Add(key);
                if (_checkers.TryGetValue(key, out HealthChecker? checker))
                {
                    checker.Update(endpoint, health, settings);
                    continue;
                }
                checker = new HealthChecker(endpoint, health, settings, registry.Time);
                _checkers.Add(key, checker);
                checker.Start();
            }
        }
        foreach (((string Cluster, string Address) key, HealthChecker checker) in _checkers.ToArray())
        {
            if (wanted.Contains(key))
            {
                continue;
            }
            _checkers.Remove(key);
            _stopping.Add(checker.StopAsync());
            // Without a check the endpoint counts as healthy (CONTRACT: health_check is off when absent).
            if (snapshot.Clusters.TryGetValue(key.Cluster, out ClusterSnapshot? cluster))
            {
                foreach (EndpointSnapshot endpoint in cluster.Endpoints)
                {
                    if (endpoint.Address == key.Address)
                    {
                        endpoint.State.Healthy = true;
                    }
                }
            }
        }
    }

    private void ApplyReviewsUnsynchronized(ProxySnapshot snapshot)
    {
        foreach (ClusterSnapshot cluster in snapshot.Clusters.Values)
        {
            if (cluster.OutlierDetector is not { } detector)
            {
                continue;
            }
            TimeSpan interval = detector.Settings.Interval;
            if (_reviews.TryGetValue(cluster.Name, out ReviewTimer? review))
            {
                review.Detector = detector;
                if (review.Interval != interval)
                {
                    review.Interval = interval;
                    review.Timer.Change(interval, interval);
                }
                continue;
            }
            review = new ReviewTimer(detector, interval, logger);
            review.Timer = registry.Time.CreateTimer(static s => ((ReviewTimer)s!).Tick(), review, interval, interval);
            _reviews.Add(cluster.Name, review);
        }
        foreach ((string name, ReviewTimer review) in _reviews.ToArray())
        {
            if (snapshot.Clusters.TryGetValue(name, out ClusterSnapshot? cluster) && cluster.OutlierDetector is not null)
            {
                continue;
            }
            review.Timer.Dispose();
            _reviews.Remove(name);
        }
    }

    /// <summary>The review timer of one cluster; the detector is the current snapshot's.</summary>
    private sealed class ReviewTimer(OutlierDetector detector, TimeSpan interval, ILogger logger)
    {
        private volatile OutlierDetector _detector = detector;

        public OutlierDetector Detector
        {
            get => _detector;
            set => _detector = value;
        }

        public TimeSpan Interval { get; set; } = interval;

        public ITimer Timer { get; set; } = null!;

        public void Tick()
        {
            try
            {
                _detector.Review();
            }
            catch (Exception ex)
            {
                LogReviewFailed(logger, _detector.Health.Name, ex);
            }
        }
    }

    [LoggerMessage(EventId = EventIds.OutlierReviewFailed, Level = LogLevel.Error, Message = "cluster {Cluster}: outlier review failed")]
    private static partial void LogReviewFailed(ILogger logger, string cluster, Exception exception);
}
