using System.Globalization;
using Meshy.Bench.Load.Processes;
using Meshy.Bench.Load.Proxies;
using Meshy.Bench.Load.Report;
using Meshy.Bench.Load.Scenarios;

namespace Meshy.Bench.Load;

/// <summary>
/// Runs scenarios against proxies in alternating rounds: within a round every proxy runs once, in
/// the same order (meshy, haproxy, nginx, direct), so slow drifts of the machine (thermal, other
/// builds) spread over all of them instead of landing on whoever ran last. Every proxy is started
/// fresh for each run (peak RSS is per run) and killed afterwards, whatever happens.
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
        // The proxies this scenario measures: meshy-plain only where Meshy's config varies.
        List<IProxyLauncher> runners = proxies.Where(p => p.RunsIn(scenario)).ToList();
        var result = new ScenarioResult
        {
            Name = scenario.Name,
            Title = scenario.Title,
            Description = scenario.Describe(options),
            Subject = subject,
            Proxies = runners.Select(p => p.Name).ToList(),
            Baselines = runners.Where(p => p.IsBaseline).Select(p => p.Name).ToList(),
            Metrics = [.. scenario.Metrics, CoreBusyBefore],
            Reference = scenario.Reference,
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
                    foreach (IProxyLauncher proxy in runners)
                    {
                        if (skipped.Any(s => s.Proxy == proxy.Name) || failed.Contains(proxy.Name))
                        {
                            continue;
                        }
                        RunSample sample = await RunOnceAsync(scenario, proxy, upstream, round, work, cancellationToken);
                        runs.Add(sample);
                        log.WriteLine($"   round {round}/{options.Rounds} {proxy.Name,-8} {Describe(sample, scenario)}");
                        if (sample.Status == RunStatus.Failed)
                        {
                            // A proxy that cannot do this scenario will not learn it by next round;
                            // retrying would only cost a ready-timeout per round.
                            failed.Add(proxy.Name);
                            if (round < options.Rounds)
                            {
                                log.WriteLine($"   {proxy.Name} is not retried in later rounds of {scenario.Name}");
                            }
                        }
                        await Task.Delay(Pause, cancellationToken);
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
        string directory = Path.Combine(work, $"{scenario.Name}-{proxy.Name}-{round}");
        Directory.CreateDirectory(directory);
        var launch = new ProxyLaunch(scenario.Mode, upstream.Endpoint, FreePort.Next(), directory, options.ProxyCpu, options.Scheduling, scenario.Routing, scenario.MeshyAccessLog, upstream.MirrorEndpoint);
        RunningProxy? running = null;
        try
        {
            running = await proxy.StartAsync(launch, cancellationToken);
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

            double busyBefore = await CoreBusyPercentAsync(cancellationToken);
            var metrics = new Dictionary<string, double>(await scenario.MeasureAsync(new MeasureContext(running.Endpoint, running.Probe, options, directory), cancellationToken))
            {
                [CoreBusyBefore.Key] = busyBefore,
            };
            running.ThrowIfExited();
            return new RunSample { Proxy = proxy.Name, Round = round, Status = RunStatus.Ok, Metrics = metrics };
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            string error = e.Message;
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
            return new RunSample { Proxy = proxy.Name, Round = round, Status = RunStatus.Failed, Error = OneLine(error) };
        }
        finally
        {
            if (running is not null)
            {
                await running.DisposeAsync();
            }
        }
    }

    private async Task<double> CoreBusyPercentAsync(CancellationToken cancellationToken)
    {
        var window = new Probes.CpuWindow(options.ProxyCpu, rootPid: null);
        await Task.Delay(NoiseWindow, cancellationToken);
        Probes.CpuUsage usage = window.Stop();
        // Ticks are sampled at 100 Hz, so a fully busy second can read 101%.
        return Math.Min(100, 100 * usage.CoreBusySeconds / usage.WallSeconds);
    }

    private static string Describe(RunSample sample, ILoadScenario scenario)
    {
        if (sample.Status == RunStatus.Failed)
        {
            return $"FAILED: {sample.Error}";
        }
        IEnumerable<string> parts = scenario.Metrics.Append(CoreBusyBefore)
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
