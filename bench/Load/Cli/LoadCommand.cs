using System.Globalization;
using System.Runtime.InteropServices;
using Meshy.Bench.Load;
using Meshy.Bench.Load.Probes;
using Meshy.Bench.Load.Processes;
using Meshy.Bench.Load.Proxies;
using Meshy.Bench.Load.Report;
using Meshy.Bench.Load.Scenarios;

namespace Meshy.Bench.Load.Cli;

/// <summary>
/// <c>load</c>: parses options, finds (or builds) Meshy and the peers, runs the scenarios, prints
/// the tables and writes the JSON and HTML reports. <c>load --from FILE.json</c> only re-renders a
/// recorded run. Ctrl-C stops the run, kills every child, and still reports what was measured.
/// </summary>
internal static class LoadCommand
{
    private const string Subject = "meshy";

    public static int Run(string[] args)
    {
        var parsed = CommandArgs.Parse(args, "no-meshy", "realtime", "paired", "bare-peers");
        if (parsed.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{parsed.Positional[0]}'");
        }

        string? from = parsed.String("from");
        string? json = parsed.String("json");
        string? html = parsed.String("html");
        if (from is not null)
        {
            parsed.RejectUnknown();
            return Rerender(from, json, html);
        }

        int cores = MachineProbe.OnlineCores();
        var options = new LoadOptions
        {
            Duration = parsed.Duration("duration", TimeSpan.FromSeconds(10)),
            Warmup = parsed.String("warmup") is "0" or "0s" ? TimeSpan.Zero : parsed.Duration("warmup", TimeSpan.FromSeconds(10)),
            Rounds = parsed.Int("rounds", 3, min: 1, max: 100),
            TcpConnections = parsed.Int("connections", 4, min: 1, max: 1000),
            Chunk = parsed.Int("chunk", 65536, min: 1, max: 16 * 1024 * 1024),
            IdleConnections = parsed.Int("idle-connections", 1000, min: 1, max: 10_000),
            HttpConnections = parsed.Int("http-connections", 64, min: 1, max: 10_000),
            LatencyRate = parsed.Int("latency-rate", 1000, min: 1, max: 100_000),
            ProxyCpu = parsed.Int("proxy-cpu", 1, min: 0, max: cores - 1),
            LoadCpu = parsed.Int("load-cpu", 0, min: 0, max: cores - 1),
            Scheduling = new Scheduling(NiceOption(parsed.String("nice")), parsed.Flag("realtime")),
            Paired = parsed.Flag("paired"),
            BarePeers = parsed.Flag("bare-peers"),
        };
        IReadOnlyList<ILoadScenario> scenarios = SelectScenarios(parsed.String("scenario"));
        bool noMeshy = parsed.Flag("no-meshy");
        IReadOnlyList<string> peers = SelectPeers(parsed.String("peers"), noMeshy);
        string? meshyPath = parsed.String("meshy");
        string? baselinePath = parsed.String("baseline");
        parsed.RejectUnknown();
        if (noMeshy && peers.Count == 0)
        {
            throw new UsageException("--no-meshy with no --peers leaves nothing to measure");
        }

        if (options.Paired && options.Scheduling.Realtime)
        {
            // Two SCHED_FIFO processes of one priority on one core do not share it: a busy one keeps it.
            throw new UsageException("--paired cannot run with --realtime: the proxies would not share the core");
        }
        // meshy-l4 is Meshy too, but forwarding bytes it touches far less memory than proxying HTTP: another program here.
        if (options.Paired && (baselinePath is null || peers.Any(peer => !peer.StartsWith("meshy", StringComparison.Ordinal) || peer == ProxyCatalog.MeshyL4)))
        {
            Console.Error.WriteLine("warning: --paired is meant for two Meshy builds (--meshy, --baseline, --peers \"\"); "
                + "different programs share the core unequally, so their paired figures are biased (see bench/README.md)");
        }
        if (options.ProxyCpu == options.LoadCpu)
        {
            Console.Error.WriteLine($"warning: proxy and load share CPU {options.ProxyCpu}; CPU per unit then includes the load generator");
        }
        if (options.Scheduling.Realtime && ExternalTool.Find("chrt") is null)
        {
            Console.Error.WriteLine("chrt is not installed (apt-get install -y util-linux): --realtime needs it");
            return 1;
        }
        if (ExternalTool.Find("taskset") is null)
        {
            Console.Error.WriteLine("taskset is not installed (apt-get install -y util-linux): nothing can be pinned");
            return 1;
        }

        using var stop = new CancellationTokenSource();
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => OnSignal(context, stop));
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => OnSignal(context, stop));
        try
        {
            return RunAsync(options, scenarios, peers, noMeshy, meshyPath, baselinePath, json, html, stop.Token).GetAwaiter().GetResult();
        }
        finally
        {
            ChildProcessRegistry.KillAll();
        }
    }

    private static void OnSignal(PosixSignalContext context, CancellationTokenSource stop)
    {
        if (stop.IsCancellationRequested)
        {
            // Second Ctrl-C: stop waiting for cleanup; ProcessExit still kills the children.
            return;
        }
        context.Cancel = true;
        Console.Error.WriteLine("\nstopping: killing the running proxy and load tools, then reporting what was measured ...");
        stop.Cancel();
    }

    private static async Task<int> RunAsync(
        LoadOptions options,
        IReadOnlyList<ILoadScenario> scenarios,
        IReadOnlyList<string> peers,
        bool noMeshy,
        string? meshyPath,
        string? baselinePath,
        string? json,
        string? html,
        CancellationToken cancellationToken)
    {
        DateTimeOffset started = DateTimeOffset.UtcNow;
        MachineInfo machine = MachineProbe.Collect();

        var proxies = new List<IProxyLauncher>();
        bool interrupted = false;
        var results = new List<ScenarioResult>();
        try
        {
            MeshyBinary? meshy = null;
            if (!noMeshy)
            {
                meshy = await MeshyBinary.ResolveAsync(meshyPath, cancellationToken);
                proxies.Add(new MeshyLauncher(meshy));
            }
            if (baselinePath is not null)
            {
                proxies.Add(new MeshyLauncher(await MeshyBinary.ResolveAsync(baselinePath, cancellationToken), ProxyCatalog.MeshyBaseline));
            }
            foreach (string peer in peers)
            {
                proxies.Add(await ProxyCatalog.PeerAsync(peer, meshy, cancellationToken));
            }
            PrintTools(proxies, scenarios, options.Paired);
            string subject = noMeshy ? proxies[0].Name : Subject;
            await new LoadRunner(options, proxies, subject, Console.Out).RunAsync(scenarios, results, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
        }

        var report = new BenchReport
        {
            StartedAt = started,
            FinishedAt = DateTimeOffset.UtcNow,
            Interrupted = interrupted,
            Machine = machine,
            Settings = new RunSettings
            {
                Duration = DurationText.Format(options.Duration),
                Warmup = DurationText.Format(options.Warmup),
                Rounds = options.Rounds,
                ProxyCpu = options.ProxyCpu,
                LoadCpu = options.LoadCpu,
                Extra = new Dictionary<string, string>
                {
                    ["tcp_connections"] = options.TcpConnections.ToString(CultureInfo.InvariantCulture),
                    ["chunk"] = options.Chunk.ToString(CultureInfo.InvariantCulture),
                    ["idle_connections"] = options.IdleConnections.ToString(CultureInfo.InvariantCulture),
                    ["http_connections"] = options.HttpConnections.ToString(CultureInfo.InvariantCulture),
                    ["latency_rate"] = options.LatencyRate.ToString(CultureInfo.InvariantCulture),
                    ["scheduling"] = options.Scheduling.ToString(),
                    ["paired"] = options.Paired ? "yes" : "no",
                    ["peers_forward"] = options.BarePeers ? "no (--bare-peers)" : "yes",
                },
            },
            Tools = [.. proxies.Select(p => p.Describe()), .. LoadTools()],
            Scenarios = results,
        };
        WriteReports(report, json, html);
        return interrupted ? 130 : 0;
    }

    private static int Rerender(string from, string? json, string? html)
    {
        BenchReport report = ReportJson.Deserialize(File.ReadAllText(from));
        Console.Out.Write(TextReport.Render(report));
        if (json is not null)
        {
            File.WriteAllText(json, ReportJson.Serialize(report));
        }
        if (html is not null)
        {
            File.WriteAllText(html, HtmlReport.Render(report));
            Console.Out.WriteLine($"\nHTML report: {Path.GetFullPath(html)}");
        }
        return 0;
    }

    private static void WriteReports(BenchReport report, string? json, string? html)
    {
        Console.Out.WriteLine();
        Console.Out.Write(TextReport.Render(report));

        // Default: bench/results/ (git-ignored) in the checkout, else the working directory.
        string stamp = report.StartedAt.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string directory = RepoRoot.Find() is { } root ? Path.Combine(root, "bench", "results") : Environment.CurrentDirectory;
        json ??= Path.Combine(directory, $"load-{stamp}.json");
        html ??= Path.Combine(directory, $"load-{stamp}.html");
        foreach (string path in new[] { json, html })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
        File.WriteAllText(json, ReportJson.Serialize(report));
        File.WriteAllText(html, HtmlReport.Render(report));
        Console.Out.WriteLine($"\nJSON report: {Path.GetFullPath(json)}\nHTML report: {Path.GetFullPath(html)}");
    }

    private static void PrintTools(IReadOnlyList<IProxyLauncher> proxies, IReadOnlyList<ILoadScenario> scenarios, bool paired)
    {
        foreach (ToolInfo tool in proxies.Select(p => p.Describe()).Concat(LoadTools()))
        {
            string state = tool.Available ? $"found: {tool.Version}" : "NOT INSTALLED";
            string note = tool.Note is null ? "" : $" ({tool.Note})";
            Console.Out.WriteLine($"{tool.Name,-8} {state}{note}");
        }
        string order = paired ? "loaded at the same time in each round" : "order within each round";
        Console.Out.WriteLine($"scenarios: {string.Join(", ", scenarios.Select(s => s.Name))}; {order}: {string.Join(", ", proxies.Select(p => p.Name))}");
    }

    private static IEnumerable<ToolInfo> LoadTools()
    {
        foreach ((string name, string package, string versionFlag) in new[] { ("wrk", "wrk", "-v"), ("h2load", "nghttp2-client", "--version"), ("nghttpd", "nghttp2-server", "--version") })
        {
            string? path = ExternalTool.Find(name);
            yield return path is null
                ? new ToolInfo(name, false, null, $"apt-get install -y {package}")
                : new ToolInfo(name, true, ExternalTool.LineWith(ExternalTool.Output(path, versionFlag), name)?.Split(" [", 2)[0] ?? "unknown version", null);
        }
    }

    private static int NiceOption(string? text)
    {
        if (text is null)
        {
            return Scheduling.Default.Nice;
        }
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int nice) && nice is >= -20 and <= 19
            ? nice
            : throw new UsageException($"--nice must be an integer from -20 to 19 (got '{text}')");
    }

    private static IReadOnlyList<ILoadScenario> SelectScenarios(string? names)
    {
        IReadOnlyList<ILoadScenario> all = ScenarioCatalog.All();
        if (names is null)
        {
            return all;
        }
        var selected = new List<ILoadScenario>();
        foreach (string name in names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            selected.Add(all.FirstOrDefault(s => s.Name == name)
                ?? throw new UsageException($"--scenario: unknown scenario '{name}' (known: {string.Join(", ", all.Select(s => s.Name))})"));
        }
        return selected;
    }

    private static IReadOnlyList<string> SelectPeers(string? names, bool noMeshy)
    {
        if (names is null)
        {
            // meshy-plain and meshy-l4 are variants of the Meshy under test: nothing to compare them with without it.
            return noMeshy
                ? ProxyCatalog.DefaultPeerNames.Where(name => name is not (ProxyCatalog.MeshyPlain or ProxyCatalog.MeshyL4)).ToList()
                : ProxyCatalog.DefaultPeerNames;
        }
        List<string> peers = names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        foreach (string peer in peers.Where(p => !ProxyCatalog.PeerNames.Contains(p)))
        {
            throw new UsageException($"--peers: unknown peer '{peer}' (known: {string.Join(", ", ProxyCatalog.PeerNames)})");
        }
        return peers;
    }
}
