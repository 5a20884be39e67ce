using System.Text.RegularExpressions;
using Meshy.Cli.Demo;

namespace Meshy.Cli.Tests.Demo;

/// <summary>
/// The short demo tour, run once (<see cref="DemoTourFixture"/>): each step's counts against what its
/// config says, computed here independently of the demo's own checks. Steps that need the resilience
/// </summary>
public sealed partial class DemoTourTests(DemoTourFixture demo) : IClassFixture<DemoTourFixture>
{
    [Fact]
    public void Tour_ShortRun_RunsEveryStepInOrder()
    {
        Assert.True(demo.Run.Steps.Count == DemoTour.StepCount, demo.Output + demo.Errors);
        Assert.Equal(Enumerable.Range(1, DemoTour.StepCount), demo.Run.Steps.Select(s => s.Number));
    }

    [Fact]
    public void Step1_BaseConfig_AllTrafficToV1()
    {
        DemoStepResult step = demo.Step(1);

        Assert.Equal(demo.Sizes.AllToV1, step.Value("all.v1"));
        Assert.Equal(0, step.Value("all.v2"));
        Assert.Equal(0, step.Value("all.v3"));
        Assert.True(step.Passed);
    }

    [Fact]
    public void Step2_HeaderSteering_IPhoneToV3OthersToV1()
    {
        DemoStepResult step = demo.Step(2);

        Assert.Equal(demo.Sizes.SteeringPerAgent, step.Value("iphone.v3"));
        Assert.Equal(0, step.Value("iphone.v1") + step.Value("iphone.v2"));
        Assert.Equal(demo.Sizes.SteeringPerAgent, step.Value("other.v1"));
        Assert.Equal(0, step.Value("other.v2") + step.Value("other.v3"));
        Assert.True(step.Passed);
    }

    [Fact]
    public void Step3_MigrationByReload_SplitsFiftyFiftyThenAllToV3()
    {
        DemoStepResult step = demo.Step(3);
        int trials = demo.Sizes.Migration;

        // Binomial(n, 1/2) within 6 standard deviations: a correct split fails this with probability < 1e-8.
        double spread = 6 * Math.Sqrt(trials * 0.25);
        Assert.InRange(step.Value("split.v1"), trials / 2.0 - spread, trials / 2.0 + spread);
        Assert.Equal(trials, step.Value("split.v1") + step.Value("split.v2"));
        Assert.Equal(0, step.Value("split.v3"));
        Assert.Equal(demo.Sizes.AfterMigration, step.Value("after.v3"));
        Assert.Equal(0, step.Value("after.v1") + step.Value("after.v2"));
        Assert.True(step.Passed);
    }

    [Fact]
    public void Step4_DelayInjection_MedianLatencyAtLeastTheDelay()
    {
        DemoStepResult step = demo.Step(4);
        double delay = DemoTour.DelayFixed.TotalMilliseconds;
        int trials = demo.Sizes.Latency;

        Assert.True(step.Value("before.p50_ms") < delay, $"p50 before {step.Value("before.p50_ms")} ms");
        Assert.True(step.Value("delayed.p50_ms") >= delay, $"p50 delayed {step.Value("delayed.p50_ms")} ms");
        // 80 % held: Binomial(n, 0.8) within 6 standard deviations (a request not held takes a few ms on loopback).
        double mean = trials * DemoTour.DelayPercent / 100;
        double spread = 6 * Math.Sqrt(trials * 0.8 * 0.2);
        Assert.InRange(step.Value("delayed.held"), mean - spread, Math.Min(trials, mean + spread));
        Assert.Equal(trials, step.Value("delayed.ok"));
        Assert.True(step.Passed);
    }

    [Fact]
    public void Step5_AbortInjection_ShareAnsweredByTheProxyNeverReachesV1()
    {
        DemoStepResult step = demo.Step(5);
        int trials = demo.Sizes.Abort;
        double aborted = step.Value($"status.{DemoTour.AbortStatus} proxy");

        double mean = trials * DemoTour.AbortPercent / 100;
        double spread = 6 * Math.Sqrt(trials * 0.3 * 0.7);
        Assert.InRange(aborted, mean - spread, mean + spread);
        Assert.Equal(trials, aborted + step.Value("status.v1"));
        Assert.Equal(step.Value("status.v1"), step.Value("v1.received"));
        Assert.True(step.Passed);
    }

    [Fact]
    public void Step6_Mirroring_V1AnswersAndTheShadowGetsEveryCopy()
    {
        DemoStepResult step = demo.Step(6);

        Assert.Equal(demo.Sizes.Mirror, step.Value("requests"));
        Assert.Equal(demo.Sizes.Mirror, step.Value("answer.v1"));
        Assert.Equal(demo.Sizes.Mirror, step.Value("mirror.received"));
        Assert.True(step.Passed);
    }

    [Fact]
    public void Step7_CircuitBreaking_ExactlyMaxRequestsSucceedTheRestGet503()
    {
        DemoStepResult step = demo.Step(7);

        Assert.Equal(DemoTour.MaxRequests, step.Value("status.v1"));
        Assert.Equal(demo.Sizes.Burst - DemoTour.MaxRequests, step.Value("status.503 proxy"));
        Assert.Equal(DemoTour.MaxRequests, step.Value("v1.received"));
        Assert.True(step.Passed);
    }

    [Fact]
    public void Step8_OutlierEjection_NoTrafficToV2AfterConsecutiveFailures()
    {
        DemoStepResult step = demo.Step(8);

        Assert.Equal(demo.Sizes.Outlier, step.Value("next.requests"));
        Assert.Equal(demo.Sizes.Outlier, step.Value("next.v1"));
        Assert.Equal(0, step.Value("next.503 v2") + step.Value("next.v2"));
        // v2 failed exactly consecutive_5xx times in a row, then was ejected.
        Assert.Equal(DemoTour.Consecutive5xx, step.Value("v2.received"));
        Assert.Equal(DemoTour.Consecutive5xx, step.Value("first.503 v2"));
        Assert.True(step.Passed);
    }

    [Fact]
    public void Tour_EveryStepBehavesAsConfigured_ExitsZero()
    {
        Assert.True(demo.Run.ExitCode == 0, demo.Output);
        Assert.Contains($"{DemoTour.StepCount} of {DemoTour.StepCount} steps behaved as configured.", demo.Output);
    }

    [Fact]
    public void Output_EveryStep_PrintsItsTitleTablesAndChecks()
    {
        foreach (DemoStepResult step in demo.Run.Steps)
        {
            string section = Section(step.Number);
            Assert.StartsWith($"{step.Number}. {step.Title}\n", section);
            foreach (DemoTable table in step.Tables)
            {
                Dictionary<string, string[]> printed = ParseTable(section, table.Caption);
                Assert.Equal(table.Rows.Select(r => r[0]), printed.Keys);
                foreach (IReadOnlyList<string> row in table.Rows)
                {
                    Assert.Equal(row.Skip(1), printed[row[0]]);
                }
            }
            foreach (DemoCheck check in step.Checks)
            {
                Assert.Contains($"{(check.Passed ? "ok      " : "FAILED  ")}{check.Expectation}\n", section);
            }
        }
    }

    [Fact]
    public void Output_CountTables_MatchTheStepValues()
    {
        // The printed numbers are the ones the step recorded: read back from the text.
        Assert.Equal(demo.Step(1).Value("all.v1").ToString(System.Globalization.CultureInfo.InvariantCulture), ParseTable(Section(1), $"{demo.Sizes.AllToV1} requests")["v1"][0]);
        Dictionary<string, string[]> split = ParseTable(Section(3), $"50/50 v1/v2: {demo.Sizes.Migration} requests");
        Assert.Equal(demo.Sizes.Migration, int.Parse(split["v1"][0]) + int.Parse(split["v2"][0]));
    }

    [Fact]
    public void Tour_AfterEveryStep_LeavesTheBaseConfigAndNoErrors()
    {
        string live = File.ReadAllText(demo.ConfigPath);

        Assert.DoesNotContain("fault.", live);
        Assert.DoesNotContain("mirror =", live);
        Assert.DoesNotContain("limits =", live);
        Assert.DoesNotContain("outlier_detection =", live);
        Assert.Matches(@"to = \[\n    \{ cluster = ""app"", subset = ""v1"", weight = 100 \},\n  \]", live);
        Assert.Equal("", demo.Errors);
    }

    /// <summary>The printed text of step <paramref name="number"/>: from its numbered title to the next step's progress line.</summary>
    private string Section(int number)
    {
        int start = demo.Output.IndexOf($"\n{number}. ", StringComparison.Ordinal);
        Assert.True(start >= 0, $"step {number} not printed:\n{demo.Output}");
        int end = demo.Output.IndexOf($"\n[{number + 1}/", start, StringComparison.Ordinal);
        return demo.Output[(start + 1)..(end < 0 ? demo.Output.Length : end + 1)];
    }

    /// <summary>The rows of the printed table under <paramref name="caption"/>: first column → the other cells.</summary>
    private static Dictionary<string, string[]> ParseTable(string output, string caption)
    {
        string[] lines = output.Split('\n');
        int at = Array.FindIndex(lines, l => l == "   " + caption);
        Assert.True(at >= 0, $"no table \"{caption}\" in:\n{output}");
        var rows = new Dictionary<string, string[]>(StringComparer.Ordinal);
        string[] header = ColumnSplit().Split(lines[at + 1].Trim());
        for (int i = at + 2; i < lines.Length && lines[i].Length > 0; i++)
        {
            string[] cells = ColumnSplit().Split(lines[i].Trim());
            Assert.Equal(header.Length, cells.Length);
            rows[cells[0]] = cells[1..];
        }
        return rows;
    }

    [GeneratedRegex(" {2,}")]
    private static partial Regex ColumnSplit();
}
