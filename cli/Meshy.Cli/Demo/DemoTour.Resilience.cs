namespace Meshy.Cli.Demo;

/// <summary>Steps 6–8: mirroring, circuit breaking and outlier ejection.</summary>
internal sealed partial class DemoTour
{
    /// <summary>How long mirrored copies (fire and forget) get to arrive before they are counted.</summary>
    private static readonly TimeSpan MirrorSettle = TimeSpan.FromSeconds(5);

    private async Task<DemoStepResult> MirrorAsync(CancellationToken cancellationToken)
    {
        Begin(6, "mirroring");
        long copiesBefore = session.Shadow.Requests;
        DemoConfig mirrored = session.Base with { MirrorPercent = 100 };
        DemoReply[] replies = await WithConfigAsync(mirrored, async () =>
        {
            DemoReply[] sent = await _traffic.SendAsync(sizes.Mirror, sizes.Concurrency, cancellationToken).ConfigureAwait(false);
            // Copies may land after the answers: wait until they are all in (or the wait runs out).
            DateTime deadline = DateTime.UtcNow + MirrorSettle;
            while (session.Shadow.Requests - copiesBefore < sent.Length && DateTime.UtcNow < deadline)
            {
                progress.Note($"waiting for mirrored copies: {session.Shadow.Requests - copiesBefore}/{sent.Length}");
                await Task.Delay(25, cancellationToken).ConfigureAwait(false);
            }
            return sent;
        }, cancellationToken).ConfigureAwait(false);
        long copies = session.Shadow.Requests - copiesBefore;
        string host = copies > 0 ? session.Shadow.LastHost : "-";

        var values = new Dictionary<string, double>(StringComparer.Ordinal) { ["mirror.received"] = copies, ["requests"] = replies.Length };
        Dictionary<string, int> counts = Count(replies, "answer", values);
        string expectedHost = $"{session.Proxy.Address}-shadow:{session.Proxy.Port}";
        return new DemoStepResult
        {
            Number = 6,
            Title = "Mirroring: v1 answers, a copy of every request goes to the shadow cluster",
            Change = "rule \"default\": mirror = { cluster = \"shadow\", percent = 100 }",
            Tables =
            [
                new DemoTable($"{replies.Length} requests", ["BACKEND", "REQUESTS", "ROLE"],
                [
                    ["v1", Text(counts["v1"]), "answered the clients"],
                    ["shadow", Text(copies), $"got the copies (Host: {host}); answers dropped"],
                ]),
            ],
            Values = values,
            Checks =
            [
                new DemoCheck(counts["v1"] == replies.Length, $"every request answered by v1 ({counts["v1"]} of {replies.Length})"),
                new DemoCheck(copies == replies.Length, $"the shadow backend got one copy per request ({copies} of {replies.Length})"),
                new DemoCheck(copies > 0 && host == expectedHost, $"copies carry Host {expectedHost} (saw {host})"),
            ],
        };
    }

    private async Task<DemoStepResult> CircuitBreakingAsync(CancellationToken cancellationToken)
    {
        Begin(7, "circuit breaking");
        long servedBefore = session.V1.Requests;
        DemoConfig limited = session.Base with { MaxRequests = MaxRequests };
        DemoReply[] replies = await WithConfigAsync(limited, () =>
        {
            session.V1.Delay = SlowBackend;
            // All at once: the first MaxRequests hold their slots for a whole second, the rest overflow.
            return _traffic.SendAsync(sizes.Burst, sizes.Burst, cancellationToken);
        }, cancellationToken).ConfigureAwait(false);
        long reached = session.V1.Requests - servedBefore;

        var values = new Dictionary<string, double>(StringComparer.Ordinal) { ["v1.received"] = reached, ["max_requests"] = MaxRequests, ["burst"] = replies.Length };
        Dictionary<string, int> counts = Count(replies, "status", values);
        int overflow = counts.GetValueOrDefault("503 proxy");
        return new DemoStepResult
        {
            Number = 7,
            Title = $"Circuit breaking: {replies.Length} requests at once, at most {MaxRequests} in flight to the cluster",
            Change = $"cluster \"app\": limits = {{ max_requests = {MaxRequests} }}; v1 slowed to {SlowBackend.TotalMilliseconds:0} ms per answer",
            Tables = [CountTable($"{replies.Length} concurrent requests (503 proxy = overflow, flag UO)", counts)],
            Values = values,
            Checks =
            [
                new DemoCheck(counts["v1"] == MaxRequests, $"exactly max_requests = {MaxRequests} answered by v1 ({counts["v1"]})"),
                new DemoCheck(overflow == replies.Length - MaxRequests, $"the other {replies.Length - MaxRequests} failed fast with 503 ({overflow})"),
                new DemoCheck(reached == MaxRequests, $"v1 received only {MaxRequests} ({reached})"),
            ],
        };
    }

    private async Task<DemoStepResult> OutlierEjectionAsync(CancellationToken cancellationToken)
    {
        Begin(8, "outlier ejection");
        long failedBefore = session.V2.Requests;
        DemoConfig watched = session.Base with { Split = [("v1", 50), ("v2", 50)], Consecutive5xx = Consecutive5xx };
        (List<DemoReply> first, DemoReply[] next) = await WithConfigAsync(watched, async () =>
        {
            session.V2.FailStatus = 503;
            // 1. one request at a time until v2 has failed consecutive_5xx times: then it must be ejected
            var untilEjected = new List<DemoReply>();
            int limit = sizes.Outlier * 10;
            while (session.V2.Requests - failedBefore < Consecutive5xx && untilEjected.Count < limit)
            {
                untilEjected.AddRange(await _traffic.SendAsync(1, 1, cancellationToken).ConfigureAwait(false));
            }
            // 2. the same split again: v2's share goes to v1
            DemoReply[] afterwards = await _traffic.SendAsync(sizes.Outlier, 1, cancellationToken).ConfigureAwait(false);
            return (untilEjected, afterwards);
        }, cancellationToken).ConfigureAwait(false);
        long v2Received = session.V2.Requests - failedBefore;

        var values = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["v2.received"] = v2Received,
            ["consecutive_5xx"] = Consecutive5xx,
            ["first.requests"] = first.Count,
            ["next.requests"] = next.Length,
        };
        Dictionary<string, int> firstCounts = Count(first, "first", values);
        Dictionary<string, int> nextCounts = Count(next, "next", values);
        string[] outcomes = [.. firstCounts.Keys.Union(nextCounts.Keys)];
        int nextToV2 = next.Count(r => r.Version == "v2");
        return new DemoStepResult
        {
            Number = 8,
            Title = $"Outlier ejection: v2 fails, after {Consecutive5xx} 5xx in a row it gets no traffic",
            Change = $"rule \"default\": to = v1 weight 50 + v2 weight 50; cluster \"app\": outlier_detection = {{ consecutive_5xx = {Consecutive5xx}, ... }}; v2 answers 503",
            Tables =
            [
                new DemoTable("one request at a time", ["ANSWERED BY", $"UNTIL V2 FAILED {Consecutive5xx}x", "AFTERWARDS"],
                    [.. outcomes.Select(o => (IReadOnlyList<string>)[o, Text(firstCounts.GetValueOrDefault(o)), Text(nextCounts.GetValueOrDefault(o))])]),
            ],
            Values = values,
            Checks =
            [
                new DemoCheck(nextToV2 == 0, $"after the ejection no request reached v2 ({nextToV2} of {next.Length})"),
                new DemoCheck(nextCounts["v1"] == next.Length, $"after the ejection v1 answered everything ({nextCounts["v1"]} of {next.Length})"),
            ],
        };
    }
}
