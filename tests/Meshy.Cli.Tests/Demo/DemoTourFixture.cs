using Meshy.Cli.Demo;

namespace Meshy.Cli.Tests.Demo;

/// <summary>
/// Runs <c>meshy demo --short --no-serve --port 0 --admin-port 0</c> once, in-process, for every test
/// of <see cref="DemoTourTests"/>: its result, its printed output and its live config file.
/// </summary>
public sealed class DemoTourFixture : IAsyncLifetime
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("meshy-demo-test-");

    internal DemoRun Run { get; private set; } = new(-1, []);

    public string Output { get; private set; } = "";

    public string Errors { get; private set; } = "";

    public string ConfigPath => Path.Combine(_directory.FullName, "demo.toml");

    internal DemoSizes Sizes => DemoSizes.Short;

    internal DemoStepResult Step(int number) => Run.Steps.Single(s => s.Number == number);

    public async Task InitializeAsync()
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var options = new DemoOptions { Port = 0, AdminPort = 0, Short = true, Serve = false, ConfigOut = ConfigPath };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Run = await DemoRunner.RunAsync(options, TextWriter.Synchronized(output), TextWriter.Synchronized(errors), timeout.Token);
        Output = output.ToString();
        Errors = errors.ToString();
    }

    public Task DisposeAsync()
    {
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
        return Task.CompletedTask;
    }
}
