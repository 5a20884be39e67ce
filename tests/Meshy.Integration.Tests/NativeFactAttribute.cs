using System.Runtime.InteropServices;

namespace Meshy.Integration.Tests;

/// <summary>
/// A fact about the published native <c>meshy</c> (NativeAOT): needs Linux x64 and clang, the linker
/// NativeAOT drives; skipped, with the reason, elsewhere. CI installs clang.
/// </summary>
public sealed class NativeFactAttribute : FactAttribute
{
    public NativeFactAttribute()
    {
        Skip = SkipReason;
    }

    /// <summary>Why the native meshy cannot be published here, or null when it can.</summary>
    public static string? SkipReason =>
        !OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64
            ? "needs Linux x64: the native meshy is published for linux-x64"
            : SidecarNetwork.FindTool("clang") is null
                ? "needs clang to link the native meshy (apt-get install -y clang zlib1g-dev)"
                : null;
}
