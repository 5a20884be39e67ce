using System.Runtime.InteropServices;

namespace Meshy.Integration.Tests;

/// <summary>
/// A fact that needs root on Linux (network namespaces, iptables); skipped, with the reason, elsewhere.
/// </summary>
public sealed partial class SidecarRootFactAttribute : FactAttribute
{
    public SidecarRootFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux: network namespaces and iptables";
        }
        else if (GetEffectiveUid() != 0)
        {
            Skip = "needs root: creates network namespaces and changes their nat tables (CI runs as root)";
        }
        else if (SidecarNetwork.FindTool("iptables") is null || SidecarNetwork.FindTool("ip") is null)
        {
            Skip = "needs iptables and iproute2 (apt-get install -y iptables iproute2)";
        }
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUid();
}
