namespace Meshy.Cli.Demo;

/// <summary>The outcome of <c>meshy demo</c>: its exit code and, when the tour ran, its steps.</summary>
internal sealed record DemoRun(int ExitCode, IReadOnlyList<DemoStepResult> Steps);
