namespace Meshy.Cli.Demo;

/// <summary>One expectation of a tour step and whether the traffic met it.</summary>
internal sealed record DemoCheck(bool Passed, string Expectation);
