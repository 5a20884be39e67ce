using Meshy.Bench.Load.Processes;

namespace Meshy.Bench.Load.Proxies;

/// <summary>
/// The Meshy to measure: <c>--meshy PATH</c> (a native meshy, an apphost, meshy.dll or its directory),
/// or one the runner makes from cli/Meshy.Cli in its own build slot (<c>MESHY_BUILD_SLOT</c>,
/// <c>bench</c> when unset) so it never races other builds of the tree: the native meshy users deploy
/// (<c>dotnet publish -c Release -r linux-x64</c>, NativeAOT), or for <c>meshy-jit</c> the Release
/// build run as <c>dotnet meshy.dll</c>.
/// </summary>
internal sealed record MeshyBinary(ProcessCommand? Command, string Source, string? Error)
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);

    public static async Task<MeshyBinary> ResolveAsync(string? path, CancellationToken cancellationToken, bool native = true)
    {
        if (path is not null)
        {
            return FromPath(Path.GetFullPath(path));
        }

        string? root = RepoRoot.Find();
        if (root is null)
        {
            return new MeshyBinary(null, "build", "cannot find the Meshy checkout (Meshy.sln) above the working directory; pass --meshy PATH");
        }
        string slot = Environment.GetEnvironmentVariable("MESHY_BUILD_SLOT") is { Length: > 0 } own ? own : "bench";
        string output = Path.Combine(root, ".artifacts", slot, native ? "load-meshy-native" : "load-meshy");
        string project = Path.Combine(root, "cli", "Meshy.Cli", "Meshy.Cli.csproj");
        ProcessCommand build;
        if (native)
        {
            Console.Out.WriteLine($"publishing the native Meshy (Release, {NativeRuntime}) into {output} ...");
            build = new ProcessCommand(SelfCommand.DotnetHost(), "publish", "-c", "Release", "-r", NativeRuntime, project, "-o", output, "--nologo", "-v", "quiet");
        }
        else
        {
            Console.Out.WriteLine($"building the JIT Meshy (Release) into {output} ...");
            build = new ProcessCommand(SelfCommand.DotnetHost(), "build", "-c", "Release", project, "-o", output, "--nologo", "-v", "quiet");
        }
        await using ChildProcess process = ChildProcess.Start(native ? "dotnet publish" : "dotnet build", build, new Dictionary<string, string> { ["MESHY_BUILD_SLOT"] = slot }, root);
        process.CloseStdin();
        int exitCode;
        try
        {
            exitCode = await process.WaitForExitAsync(BuildTimeout, cancellationToken);
        }
        catch (TimeoutException e)
        {
            return new MeshyBinary(null, project, e.Message);
        }
        if (exitCode != 0)
        {
            string errors = string.Join(" | ", process.DrainStdout().Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Distinct().Take(3));
            string how = native ? $"dotnet publish -r {NativeRuntime} cli/Meshy.Cli failed (exit {exitCode}; NativeAOT links with clang: apt-get install -y clang zlib1g-dev)" : $"dotnet build cli/Meshy.Cli failed (exit {exitCode})";
            return new MeshyBinary(null, project, $"{how}: {(errors.Length > 0 ? errors : process.Tail())}");
        }
        return FromPath(Path.Combine(output, native ? "meshy" : "meshy.dll"));
    }

    /// <summary>The runtime the native meshy is published for: the one the project's lock files pin.</summary>
    private const string NativeRuntime = "linux-x64";

    private static MeshyBinary FromPath(string path)
    {
        if (Directory.Exists(path))
        {
            // A build's output holds meshy.dll; a native publish holds only the executable.
            path = File.Exists(Path.Combine(path, "meshy.dll")) ? Path.Combine(path, "meshy.dll") : Path.Combine(path, "meshy");
        }
        if (!File.Exists(path))
        {
            return new MeshyBinary(null, path, $"{path} does not exist");
        }
        ProcessCommand command = path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? new ProcessCommand(SelfCommand.DotnetHost(), path)
            : new ProcessCommand(path);
        return new MeshyBinary(command, path, null);
    }
}
