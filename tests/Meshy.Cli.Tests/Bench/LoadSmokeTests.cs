using System.Diagnostics;
using Meshy.Bench.Load.Report;
using Meshy.Testing;

namespace Meshy.Cli.Tests.Bench;

/// <summary>
/// One short round of one load scenario, end to end: the runner starts the upstream and Meshy pinned to
/// their cores, drives wrk, and writes its reports. Proves the suite still runs, not how fast anything is.
/// </summary>
[Collection(PinnedCoresCollection.Name)]
public sealed class LoadSmokeTests
{
    [WrkFact]
    public async Task Load_HttpSmallOneShortRound_ReportsAnOkMeshyRunWithoutErrors()
    {
        string directory = Directory.CreateTempSubdirectory("meshy-load-smoke-").FullName;
        try
        {
            string json = Path.Combine(directory, "report.json");
            string html = Path.Combine(directory, "report.html");
            (int exitCode, string output) = await RunBenchAsync(
                "load", "--scenario", "http1-small", "--rounds", "1", "--duration", "1s", "--warmup", "1s",
                "--http-connections", "4", "--peers", "", "--meshy", MeshyProcess.MeshyDll, "--json", json, "--html", html);

            Assert.True(exitCode == 0, $"load exited {exitCode}:\n{output}");
            BenchReport report = ReportJson.Deserialize(await File.ReadAllTextAsync(json));
            ScenarioResult scenario = Assert.Single(report.Scenarios);
            Assert.Equal("http1-small", scenario.Name);
            RunSample meshy = Assert.Single(scenario.Runs, r => r.Proxy == "meshy");
            Assert.True(meshy.Status == RunStatus.Ok, $"meshy's run: {meshy.Status} {meshy.Error}\n{output}");
            Assert.True(meshy.Metrics["rps"] > 0, $"no requests per second in {string.Join(", ", meshy.Metrics)}");
            Assert.Equal(0, meshy.Metrics["errors"]);
            // The load side's core ran wrk and the upstream for the whole window: some of its time, never more than all.
            Assert.True(meshy.Metrics.TryGetValue("load_cpu_per_100k", out double loadCpu) && loadCpu > 0, $"no load core CPU in {string.Join(", ", meshy.Metrics)}");
            Assert.InRange(meshy.Metrics["load_core_busy"], 0.1, 100);
            Assert.True(meshy.Metrics.TryGetValue("core_round_trip_ns", out double roundTrip) && roundTrip > 0, $"no core-to-core round trip in {string.Join(", ", meshy.Metrics)}");
            // Read from Meshy's admin /metrics before and after the run: present, and a count cannot go down.
            Assert.True(meshy.Metrics.TryGetValue("gen0_per_100k", out double gen0), $"no gen0 collections in {string.Join(", ", meshy.Metrics)}");
            Assert.True(gen0 >= 0, $"gen0 collections per 100k requests {gen0}");
            Assert.Contains("<svg", await File.ReadAllTextAsync(html), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [WrkFact]
    public async Task Load_PairedWithABaseline_BothBuildsMeasuredAtOnce()
    {
        string directory = Directory.CreateTempSubdirectory("meshy-load-paired-").FullName;
        try
        {
            string json = Path.Combine(directory, "report.json");
            (int exitCode, string output) = await RunBenchAsync(
                "load", "--scenario", "http1-small", "--rounds", "1", "--duration", "2s", "--warmup", "1s",
                "--http-connections", "4", "--peers", "", "--meshy", MeshyProcess.MeshyDll, "--baseline", MeshyProcess.MeshyDll,
                "--paired", "--json", json, "--html", Path.Combine(directory, "report.html"));

            Assert.True(exitCode == 0, $"load exited {exitCode}:\n{output}");
            Assert.Contains("run at the same time", output, StringComparison.Ordinal);
            ScenarioResult scenario = Assert.Single(ReportJson.Deserialize(await File.ReadAllTextAsync(json)).Scenarios);
            foreach (string proxy in new[] { "meshy", "meshy-baseline" })
            {
                RunSample run = Assert.Single(scenario.Runs, r => r.Proxy == proxy);
                Assert.True(run.Status == RunStatus.Ok, $"{proxy}'s run: {run.Status} {run.Error}\n{output}");
                Assert.True(run.Metrics["rps"] > 0 && run.Metrics["process_cpu_per_100k"] > 0, $"{proxy}: {string.Join(", ", run.Metrics)}");
                // At the same time: the core's busy time holds both processes' work, about twice this one's own.
                // Run one after the other, it would hold little besides this one's.
                Assert.True(run.Metrics["cpu_per_100k"] > 1.5 * run.Metrics["process_cpu_per_100k"],
                    $"{proxy}: CPU core {run.Metrics["cpu_per_100k"]} against its own {run.Metrics["process_cpu_per_100k"]} s/100k: the runs did not overlap");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunBenchAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(ReportJson).Assembly.Location);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"load did not finish within 2 minutes:\n{await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
