namespace Meshy.Cli.Tests.Bench;

/// <summary>A fact that drives load with wrk; skipped, with the reason, where wrk is not installed (CI installs it).</summary>
public sealed class WrkFactAttribute : FactAttribute
{
    public WrkFactAttribute()
    {
        if (!new[] { "/usr/bin", "/usr/local/bin", "/bin" }.Any(d => File.Exists(Path.Combine(d, "wrk"))))
        {
            Skip = "needs wrk (apt-get install -y wrk)";
        }
    }
}
