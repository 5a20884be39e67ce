namespace Meshy.Cli.Demo;

/// <summary>Steps 1–3: weighted routing, header steering and a gradual migration by hot reload.</summary>
internal sealed partial class DemoTour
{
    private async Task<DemoStepResult> AllToV1Async(CancellationToken cancellationToken)
    {
        Begin(1, "all traffic to v1");
        DemoReply[] replies = await _traffic.SendAsync(sizes.AllToV1, sizes.Concurrency, cancellationToken).ConfigureAwait(false);
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        Dictionary<string, int> counts = Count(replies, "all", values);
        return new DemoStepResult
        {
            Number = 1,
            Title = "All traffic to v1",
            Change = "rule \"default\": to = [{ cluster = \"app\", subset = \"v1\", weight = 100 }]",
            Tables = [CountTable($"{replies.Length} requests", counts)],
            Values = values,
            Checks = [new DemoCheck(counts["v1"] == replies.Length, $"every request answered by v1 ({counts["v1"]} of {replies.Length})")],
        };
    }

    private async Task<DemoStepResult> HeaderSteeringAsync(CancellationToken cancellationToken)
    {
        Begin(2, "header steering");
        DemoReply[] iphone = await _traffic.SendAsync(sizes.SteeringPerAgent, sizes.Concurrency, cancellationToken, IPhone).ConfigureAwait(false);
        DemoReply[] desktop = await _traffic.SendAsync(sizes.SteeringPerAgent, sizes.Concurrency, cancellationToken, Desktop).ConfigureAwait(false);
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        Dictionary<string, int> iphoneCounts = Count(iphone, "iphone", values);
        Dictionary<string, int> desktopCounts = Count(desktop, "other", values);
        string[] outcomes = [.. iphoneCounts.Keys.Union(desktopCounts.Keys)];
        return new DemoStepResult
        {
            Number = 2,
            Title = "Header steering: iPhone users go to v3",
            Change = "rule \"iphone\" (before \"default\"): match.headers.user-agent.regex = '.*iPhone.*', to = v3",
            Tables =
            [
                new DemoTable("requests by user-agent", ["USER-AGENT", .. outcomes],
                [
                    ["iPhone", .. outcomes.Select(o => Text(iphoneCounts.GetValueOrDefault(o)))],
                    ["other", .. outcomes.Select(o => Text(desktopCounts.GetValueOrDefault(o)))],
                ]),
            ],
            Values = values,
            Checks =
            [
                new DemoCheck(iphoneCounts["v3"] == iphone.Length, $"every iPhone request answered by v3 ({iphoneCounts["v3"]} of {iphone.Length})"),
                new DemoCheck(desktopCounts["v1"] == desktop.Length, $"every other request answered by v1 ({desktopCounts["v1"]} of {desktop.Length})"),
            ],
        };
    }

    private async Task<DemoStepResult> MigrationAsync(CancellationToken cancellationToken)
    {
        Begin(3, "gradual migration by hot reload");
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        DemoConfig half = session.Base with { Split = [("v1", 50), ("v2", 50)] };
        Dictionary<string, int> split = await WithConfigAsync(half, async () =>
            Count(await _traffic.SendAsync(sizes.Migration, sizes.Concurrency, cancellationToken).ConfigureAwait(false), "split", values), cancellationToken).ConfigureAwait(false);
        DemoConfig moved = session.Base with { Split = [("v3", 100)] };
        Dictionary<string, int> after = await WithConfigAsync(moved, async () =>
            Count(await _traffic.SendAsync(sizes.AfterMigration, sizes.Concurrency, cancellationToken).ConfigureAwait(false), "after", values), cancellationToken).ConfigureAwait(false);
        return new DemoStepResult
        {
            Number = 3,
            Title = "Gradual migration: the file is edited, Meshy reloads it",
            Change = "rule \"default\": to = v1 weight 50 + v2 weight 50 (reload), then to = v3 weight 100 (reload), then back to v1",
            Tables =
            [
                CountTable($"50/50 v1/v2: {sizes.Migration} requests", split),
                CountTable($"100% v3: {sizes.AfterMigration} requests", after),
            ],
            Values = values,
            Checks =
            [
                Within(split["v1"], sizes.Migration, 0.5, "v1 on the 50/50 split"),
                new DemoCheck(split["v1"] + split["v2"] == sizes.Migration, $"only v1 and v2 answered on the split ({split["v1"] + split["v2"]} of {sizes.Migration})"),
                new DemoCheck(after["v3"] == sizes.AfterMigration, $"every request answered by v3 after the move ({after["v3"]} of {sizes.AfterMigration})"),
            ],
        };
    }
}
