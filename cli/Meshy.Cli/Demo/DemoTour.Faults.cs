namespace Meshy.Cli.Demo;

/// <summary>Steps 4–5: fault injection, a delay and an abort.</summary>
internal sealed partial class DemoTour
{
    private async Task<DemoStepResult> DelayAsync(CancellationToken cancellationToken)
    {
        Begin(4, "delay injection");
        // Twice the usual concurrency: most requests sit out the delay, the machine is idle meanwhile.
        int concurrency = sizes.Concurrency * 2;
        DemoReply[] before = await _traffic.SendAsync(sizes.Latency, concurrency, cancellationToken).ConfigureAwait(false);
        string fixedText = $"{DelayFixed.TotalMilliseconds:0}ms";
        DemoConfig delayed = session.Base with { Delay = (DelayPercent, fixedText) };
        DemoReply[] after = await WithConfigAsync(delayed, () => _traffic.SendAsync(sizes.Latency, concurrency, cancellationToken), cancellationToken).ConfigureAwait(false);

        var values = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["delay_ms"] = DelayFixed.TotalMilliseconds,
            ["delay_percent"] = DelayPercent,
        };
        IReadOnlyList<string> Row(string phase, DemoReply[] replies)
        {
            int held = replies.Count(r => r.Latency >= DelayFixed);
            double p50 = DemoStatistics.Percentile(replies.Select(r => r.Latency), 0.5);
            double p90 = DemoStatistics.Percentile(replies.Select(r => r.Latency), 0.9);
            int ok = replies.Count(r => r.Status == 200);
            values[$"{phase}.requests"] = replies.Length;
            values[$"{phase}.ok"] = ok;
            values[$"{phase}.held"] = held;
            values[$"{phase}.p50_ms"] = p50;
            values[$"{phase}.p90_ms"] = p90;
            return [phase, Text(replies.Length), Text(ok), Text(held), Text(p50, "0.0"), Text(p90, "0.0")];
        }
        DemoTable table = new("latency seen by the client", ["PHASE", "REQUESTS", "200 OK", $"TOOK >= {fixedText}", "P50 MS", "P90 MS"],
            [Row("before", before), Row("delayed", after)]);
        int heldAfter = (int)values["delayed.held"];
        return new DemoStepResult
        {
            Number = 4,
            Title = $"Delay injection: {DelayPercent:0} % of requests held {fixedText}",
            Change = $"rule \"default\": fault.delay = {{ percent = {DelayPercent:0}, fixed = \"{fixedText}\" }}",
            Tables = [table],
            Values = values,
            Checks =
            [
                new DemoCheck(values["delayed.p50_ms"] >= DelayFixed.TotalMilliseconds, $"p50 with the delay is at least {fixedText} ({values["delayed.p50_ms"]:0.0} ms)"),
                Within(heldAfter, after.Length, DelayPercent / 100, $"requests taking {fixedText} or more"),
                new DemoCheck(values["delayed.ok"] == after.Length, $"every delayed request still answered 200 ({values["delayed.ok"]:0} of {after.Length})"),
            ],
        };
    }

    private async Task<DemoStepResult> AbortAsync(CancellationToken cancellationToken)
    {
        Begin(5, "abort injection");
        long servedBefore = session.V1.Requests;
        DemoConfig aborting = session.Base with { Abort = (AbortPercent, AbortStatus) };
        DemoReply[] replies = await WithConfigAsync(aborting, () => _traffic.SendAsync(sizes.Abort, sizes.Concurrency, cancellationToken), cancellationToken).ConfigureAwait(false);
        long reached = session.V1.Requests - servedBefore;

        var values = new Dictionary<string, double>(StringComparer.Ordinal) { ["v1.received"] = reached };
        Dictionary<string, int> counts = Count(replies, "status", values);
        int aborted = counts.GetValueOrDefault($"{AbortStatus} proxy");
        DemoTable table = CountTable($"{replies.Length} requests; v1 received {reached}", counts);
        return new DemoStepResult
        {
            Number = 5,
            Title = $"Abort injection: {AbortPercent:0} % of requests answered {AbortStatus} by the proxy",
            Change = $"rule \"default\": fault.abort = {{ percent = {AbortPercent:0}, status = {AbortStatus} }}",
            Tables = [table],
            Values = values,
            Checks =
            [
                Within(aborted, replies.Length, AbortPercent / 100, $"{AbortStatus} from the proxy"),
                new DemoCheck(aborted + counts["v1"] == replies.Length, $"every other request answered by v1 ({counts["v1"]})"),
                new DemoCheck(reached == counts["v1"], $"aborted requests never reached v1 (v1 received {reached}, answered {counts["v1"]})"),
            ],
        };
    }
}
