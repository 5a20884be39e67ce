namespace Meshy.Filters.Tests;

/// <summary>A fact that reads Linux-only socket state; skipped, with the reason, elsewhere.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute(string why)
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = $"needs Linux: {why}";
        }
    }
}
