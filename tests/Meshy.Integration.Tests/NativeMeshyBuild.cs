using System.Diagnostics;

namespace Meshy.Integration.Tests;

/// <summary>
/// Publishes the native <c>meshy</c> once for the tests that run it, as users make it:
/// <c>dotnet publish cli/Meshy.Cli -c Release -r linux-x64</c>. In a build slot of its own, so it
/// never touches the build under test, and at the lowest CPU priority, so the two minutes of
/// compiling on a small machine do not starve tests that run beside it.
/// </summary>
public sealed class NativeMeshyBuild : IAsyncLifetime
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(10);
    private string? _executable;
    private string? _failure;

    /// <summary>The published executable; throws with the publish output when publishing failed.</summary>
    public string Executable => _executable ?? throw new InvalidOperationException(_failure ?? "the native meshy was not published (test skipped?)");

    public async Task InitializeAsync()
    {
        if (NativeFactAttribute.SkipReason is not null)
        {
            return;
        }
        string root = RepositoryRoot.Find();
        string slot = "native-test";
        string output = Path.Combine(root, ".artifacts", slot, "native-meshy");
        var start = new ProcessStartInfo("nice")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        foreach (string word in (string[])["-n", "19", "dotnet", "publish", Path.Combine("cli", "Meshy.Cli", "Meshy.Cli.csproj"),
            "-c", "Release", "-r", "linux-x64", "-o", output, "--nologo", "-v", "quiet",
            // No long-lived build servers: they would outlive the tests and escape the nice level.
            "-nodeReuse:false", "-p:UseSharedCompilation=false"])
        {
            start.ArgumentList.Add(word);
        }
        start.Environment["MESHY_BUILD_SLOT"] = slot;
        // The test host inherits MSBuild's variables from `dotnet test`; a nested build must find its own.
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(PublishTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            _failure = $"dotnet publish did not finish within {PublishTimeout}";
            return;
        }
        string executable = Path.Combine(output, "meshy");
        if (process.ExitCode != 0 || !File.Exists(executable))
        {
            _failure = $"dotnet publish -r linux-x64 exited {process.ExitCode}:\n{await stdout}{await stderr}";
            return;
        }
        _executable = executable;
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>The native meshy's tests run alone, after the parallel ones, and share one publish.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeMeshyCollection : ICollectionFixture<NativeMeshyBuild>
{
    public const string Name = "native meshy";
}
