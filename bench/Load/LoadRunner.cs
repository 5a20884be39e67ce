using System.Globalization;
using Meshy.Bench.Load.Processes;
using Meshy.Bench.Load.Proxies;
using Meshy.Bench.Load.Report;
using Meshy.Bench.Load.Scenarios;

namespace Meshy.Bench.Load;

/// <summary>
/// Runs scenarios against proxies in alternating rounds: within a round every proxy runs once, in
/// the same order (meshy, then the peers as <c>--peers</c> lists them), so slow drifts of the machine (thermal, other
/// builds) spread over all of them instead of landing on whoever ran last. Every proxy is started
/// fresh for each run (peak RSS is per run) and killed afterwards, whatever happens. With
/// <c>--paired</c> the proxies of a round run at once instead (see <see cref="LoadOptions.Paired"/>).
/// </summary>
internal sealed class LoadRunner(LoadOptions options, IReadOnlyList<IProxyLauncher> proxies, string subject, TextWriter log)
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    // Lets sockets of the previous run close and the machine settle before the next proxy starts.
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(500);

    // Long enough for 1% resolution at USER_HZ = 100.
    private static readonly TimeSpan NoiseWindow = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Added to every scenario: how busy the proxy core was during the second before the load
    /// started, with the proxy idle. Anything above a few percent means other processes share the
    /// core and "CPU core" figures carry their work; "proxy+softirq" does not.
    /// </summary>
    public static readonly MetricDefinition CoreBusyBefore =
        new("core_busy_before", "proxy core busy before load", "%", MetricBetter.Lower, MetricKind.Info, Chart: false);

    /// <summary>
    /// Added to every scenario: a cache line's round trip between the load core and the proxy core
    /// (<see cref="Probes.CoreToCore"/>), read before the run's load (warm-up included) and after it, outside every
    /// measured window; the slower reading. It tells how the host placed the two vCPUs during the run.
    /// </summary>
    public static readonly MetricDefinition CoreRoundTrip =
        new("core_round_trip_ns", "core-to-core round trip", "ns", MetricBetter.Lower, MetricKind.Info, Chart: false);

    /// <summary>
    /// Runs <paramref name="scenarios"/> and appends one result per scenario to
    /// <paramref name="results"/>, also the partial result of the scenario running when
    /// <paramref name="cancellationToken"/> fires, so an interrupted run still reports what it measured.
    /// </summary>
    public async Task RunAsync(IReadOnlyList<ILoadScenario> scenarios, List<ScenarioResult> results, CancellationToken cancellationToken)
    {
        DirectoryInfo work = Directory.CreateTempSubdirectory("meshy-bench-");
        try
        {
            foreach (ILoadScenario scenario in scenarios)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await RunScenarioAsync(scenario, work.FullName, results, cancellationToken);
            }
        }
        finally
        {
            try
            {
                work.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A file still held by a dying process: it lives in /tmp, leave it.
            }
        }
    }

    private async Task RunScenarioAsync(ILoadScenario scenario, string work, List<ScenarioResult> results, CancellationToken cancellationToken)
    {
        // The proxies this scenario measures: meshy-plain only where Meshy's config varies, meshy-l4 only where bytes
        // alone do the scenario's job.
        List<IProxyLauncher> runners = proxies.Where(p => p.RunsIn(scenario)).ToList();
        var result = new ScenarioResult
        {
            Name = scenario.Name,
            Title = scenario.Title,
            Description = scenario.Describe(options),
            Subject = subject,
            Proxies = runners.Select(p => p.Name).ToList(),
            Baselines = runners.Where(p => p.IsBaseline).Select(p => p.Name).ToList(),
            Metrics = [.. scenario.Metrics, CoreBusyBefore, CoreRoundTrip],
            Reference = scenario.Reference,
            Paired = options.Paired,
        };
        log.WriteLine();
        log.WriteLine($"== {scenario.Name}: {scenario.Title}");

        if (scenario.MissingTool() is { } missingTool)
        {
            log.WriteLine($"   skipped: {missingTool}");
            results.Add(result with { SkipReason = missingTool });
            return;
        }

        var skipped = new List<SkippedProxy>();
        foreach (IProxyLauncher proxy in runners)
        {
            if (proxy.Unavailable(scenario.Mode) is { } reason)
            {
                skipped.Add(new SkippedProxy(proxy.Name, reason));
                log.WriteLine($"   {proxy.Name} skipped: {reason}");
            }
        }

        var runs = new List<RunSample>();
        try
        {
            UpstreamProcess upstream;
            try
            {
                string upstreamDirectory = Path.Combine(work, $"{scenario.Name}-upstream");
                Directory.CreateDirectory(upstreamDirectory);
                upstream = await scenario.StartUpstreamAsync(options, upstreamDirectory, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                string reason = $"the upstream did not start: {OneLine(e.Message)}";
                log.WriteLine($"   skipped: {reason}");
                result = result with { SkipReason = reason };
                return;
            }

            await using (upstream)
            {
                var failed = new HashSet<string>();
                for (int round = 1; round <= options.Rounds; round++)
                {
                    List<IProxyLauncher> due = runners.Where(p => !skipped.Any(s => s.Proxy == p.Name) && !failed.Contains(p.Name)).ToList();
                    if (options.Paired)
                    {
                        if (due.Count == 1)
                        {
                            log.WriteLine($"   round {round}/{options.Rounds}: only {due[0].Name} is left, so it runs alone");
                        }
                        Record(await RunTogetherAsync(scenario, due, upstream, round, work, cancellationToken), round);
                        await Task.Delay(Pause, cancellationToken);
                        continue;
                    }
                    foreach (IProxyLauncher proxy in due)
                    {
                        Record([await RunOnceAsync(scenario, proxy, upstream, round, work, cancellationToken)], round);
                        await Task.Delay(Pause, cancellationToken);
                    }
                }

                void Record(IReadOnlyList<RunSample> samples, int round)
                {
                    foreach (RunSample sample in samples)
                    {
                        runs.Add(sample);
                        log.WriteLine($"   round {round}/{options.Rounds} {sample.Proxy,-8} {Describe(sample, scenario)}");
                        if (sample.Status == RunStatus.Failed)
                        {
                            // A proxy that cannot do this scenario will not learn it by next round;
                            // retrying would only cost a ready-timeout per round.
                            failed.Add(sample.Proxy);
                            if (round < options.Rounds)
                            {
                                log.WriteLine($"   {sample.Proxy} is not retried in later rounds of {scenario.Name}");
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            results.Add(result with { Runs = runs, Skipped = skipped });
        }
    }

    private async Task<RunSample> RunOnceAsync(ILoadScenario scenario, IProxyLauncher proxy, UpstreamProcess upstream, int round, string work, CancellationToken cancellationToken)
    {
        RunningProxy? running = null;
        try
        {
            running = await StartAsync(scenario, proxy, upstream, round, work, cancellationToken);
            double busyBefore = await CoreBusyPercentAsync(cancellationToken);
            double? roundTripBefore = CoreRoundTripNanoseconds();
            RunSample sample = await MeasureAsync(scenario, proxy, running, round, work, busyBefore, cancellationToken);
            return WithRoundTrip(sample, roundTripBefore, CoreRoundTripNanoseconds());
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(proxy, round, e, running);
        }
        finally
        {
            if (running is not null)
            {
                await running.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// <c>--paired</c>: starts every proxy of the round, then loads them all at once, each with its own load
    /// generator, so that their process CPU per request meets the same host speed.
    /// </summary>
    private async Task<IReadOnlyList<RunSample>> RunTogetherAsync(ILoadScenario scenario, IReadOnlyList<IProxyLauncher> due, UpstreamProcess upstream, int round, string work, CancellationToken cancellationToken)
    {
        var samples = new RunSample?[due.Count];
        var running = new RunningProxy?[due.Count];
        try
        {
            for (int i = 0; i < due.Count; i++)
            {
                try
                {
                    running[i] = await StartAsync(scenario, due[i], upstream, round, work, cancellationToken);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    samples[i] = Failed(due[i], round, e, running: null);
                }
            }
            double busyBefore = await CoreBusyPercentAsync(cancellationToken);
            // Once for the round, before and after every load: one proxy's probe would spin inside another's window.
            double? roundTripBefore = CoreRoundTripNanoseconds();
            await Task.WhenAll(Enumerable.Range(0, due.Count).Where(i => running[i] is not null).Select(async i =>
            {
                try
                {
                    samples[i] = await MeasureAsync(scenario, due[i], running[i]!, round, work, busyBefore, cancellationToken);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    samples[i] = Failed(due[i], round, e, running[i]);
                }
            }));
            double? roundTripAfter = CoreRoundTripNanoseconds();
            return samples.Select(s => WithRoundTrip(s!, roundTripBefore, roundTripAfter)).ToList();
        }
        finally
        {
            foreach (RunningProxy? started in running)
            {
                if (started is not null)
                {
                    await started.DisposeAsync();
                }
            }
        }
    }

    /// <summary>Starts <paramref name="proxy"/> for this run and checks that it forwards.</summary>
    private async Task<RunningProxy> StartAsync(ILoadScenario scenario, IProxyLauncher proxy, UpstreamProcess upstream, int round, string work, CancellationToken cancellationToken)
    {
        string directory = RunDirectory(work, scenario, proxy, round);
        Directory.CreateDirectory(directory);
        var launch = new ProxyLaunch(scenario.Mode, upstream.Endpoint, FreePort.Next(), directory, options.ProxyCpu, options.Scheduling, scenario.Routing, scenario.MeshyAccessLog, upstream.MirrorEndpoint,
            PeersForward: !options.BarePeers);
        RunningProxy running = await proxy.StartAsync(launch, cancellationToken);
        try
        {
            await running.WaitReadyAsync(ReadyTimeout, cancellationToken);
            try
            {
                await scenario.ProbeAsync(running.Endpoint, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                running.ThrowIfExited();
                throw new InvalidOperationException($"listens on {running.Endpoint} but does not proxy: {e.Message}", e);
            }
            return running;
        }
        catch (Exception e)
        {
            // The caller has no proxy to dispose: it is killed here, with its exit folded into the error.
            string error = WithExit(e.Message, running);
            await running.DisposeAsync();
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            throw new InvalidOperationException(error, e);
        }
    }

    private async Task<RunSample> MeasureAsync(ILoadScenario scenario, IProxyLauncher proxy, RunningProxy running, int round, string work, double busyBefore, CancellationToken cancellationToken)
    {
        var metrics = new Dictionary<string, double>(await scenario.MeasureAsync(new MeasureContext(running.Endpoint, running.Probe, options, RunDirectory(work, scenario, proxy, round)), cancellationToken))
        {
            [CoreBusyBefore.Key] = busyBefore,
        };
        running.ThrowIfExited();
        return new RunSample { Proxy = proxy.Name, Round = round, Status = RunStatus.Ok, Metrics = metrics };
    }

    /// <summary>The run's own directory (its config, the load tool's files), under the suite's work directory.</summary>
    private static string RunDirectory(string work, ILoadScenario scenario, IProxyLauncher proxy, int round) =>
        Path.Combine(work, $"{scenario.Name}-{proxy.Name}-{round}");

    private static RunSample Failed(IProxyLauncher proxy, int round, Exception e, RunningProxy? running) =>
        new() { Proxy = proxy.Name, Round = round, Status = RunStatus.Failed, Error = OneLine(WithExit(e.Message, running)) };

    /// <summary><paramref name="error"/>, with the proxy's exit code and last output when it has exited and the error does not say so yet.</summary>
    private static string WithExit(string error, RunningProxy? running)
    {
        try
        {
            running?.ThrowIfExited();
        }
        catch (InvalidOperationException exited)
        {
            if (!error.Contains(exited.Message, StringComparison.Ordinal))
            {
                error = $"{error}; {exited.Message}";
            }
        }
        return error;
    }

    private async Task<double> CoreBusyPercentAsync(CancellationToken cancellationToken)
    {
        var window = new Probes.CpuWindow(options.ProxyCpu, loadCpu: null, rootPid: null);
        await Task.Delay(NoiseWindow, cancellationToken);
        Probes.CpuUsage usage = window.Stop();
        return usage.PercentOfWindow(usage.CoreBusySeconds);
    }

    /// <summary>The cache-line round trip between the load core and the proxy core now; null where it cannot be read.</summary>
    private double? CoreRoundTripNanoseconds() => Probes.CoreToCore.RoundTripNanoseconds(options.LoadCpu, options.ProxyCpu);

    /// <summary>
    /// <paramref name="sample"/> with the slower of the two round trips read around it: a host that moved a vCPU
    /// during the run shows in one of them. A failed run is left as it is.
    /// </summary>
    private static RunSample WithRoundTrip(RunSample sample, double? before, double? after)
    {
        double? slower = before is { } first && after is { } second ? Math.Max(first, second) : before ?? after;
        if (sample.Status != RunStatus.Ok || slower is not { } roundTrip)
        {
            return sample;
        }
        return sample with { Metrics = new Dictionary<string, double>(sample.Metrics) { [CoreRoundTrip.Key] = roundTrip } };
    }

    private static string Describe(RunSample sample, ILoadScenario scenario)
    {
        if (sample.Status == RunStatus.Failed)
        {
            return $"FAILED: {sample.Error}";
        }
        IEnumerable<string> parts = scenario.Metrics.Append(CoreBusyBefore).Append(CoreRoundTrip)
            .Where(m => sample.Metrics.ContainsKey(m.Key))
            .Select(m => $"{m.Label} {ValueFormat.Number(sample.Metrics[m.Key])} {m.Unit}".TrimEnd());
        return string.Join(", ", parts);
    }

    private static string OneLine(string text)
    {
        string line = text.ReplaceLineEndings(" ");
        return line.Length <= 600 ? line : string.Create(CultureInfo.InvariantCulture, $"{line[..597]}...");
    }
}
