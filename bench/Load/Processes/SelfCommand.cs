namespace Meshy.Bench.Load.Processes;

/// <summary>How to start this assembly again with a subcommand (<c>tcp-sink</c>, <c>tcp-blast</c>, ...).</summary>
internal static class SelfCommand
{
    public static ProcessCommand For(params string[] arguments)
    {
        // `dotnet run` starts the apphost (bench/.../Meshy.Bench); `dotnet Meshy.Bench.dll` starts the
        // muxer, which needs the assembly path first.
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which executable is running");
        return Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? new ProcessCommand(host, [typeof(SelfCommand).Assembly.Location, .. arguments])
            : new ProcessCommand(host, arguments);
    }

    /// <summary>The <c>dotnet</c> muxer, to run framework-dependent assemblies such as <c>meshy.dll</c>.</summary>
    public static string DotnetHost()
    {
        string? host = Environment.ProcessPath;
        if (host is not null && Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            return host;
        }
        string? root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (root is not null && File.Exists(Path.Combine(root, "dotnet")))
        {
            return Path.Combine(root, "dotnet");
        }
        return "dotnet";
    }
}
