namespace Meshy.Cli.Tests.Bench;

/// <summary>A fact that runs one of the bench's peers; skipped, with the reason, where it is not installed (CI installs both).</summary>
public sealed class PeerFactAttribute : FactAttribute
{
    public PeerFactAttribute(string program)
    {
        if (!new[] { "/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin", "/bin" }.Any(d => File.Exists(Path.Combine(d, program))))
        {
            Skip = $"needs {program} (apt-get install -y {(program == "nginx" ? "nginx-light" : program)})";
        }
    }
}
