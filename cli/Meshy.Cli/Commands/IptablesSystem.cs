using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Meshy.Cli.Commands;

/// <summary>What <c>meshy iptables</c> asks of the system: who runs it, user ids, and running iptables.</summary>
internal static partial class IptablesSystem
{
    /// <summary>True when the effective uid is 0 (changing the nat table needs CAP_NET_ADMIN; root has it).</summary>
    public static bool IsRoot => OperatingSystem.IsLinux() && GetEffectiveUid() == 0;

    /// <summary>The uid of <paramref name="user"/> from the system's user database (NSS, so LDAP users too), or null.</summary>
    public static int? LookUpUid(string user)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        IntPtr entry = GetPasswordEntry(user);
        if (entry == IntPtr.Zero)
        {
            return null;
        }
        // struct passwd { char *pw_name; char *pw_passwd; uid_t pw_uid; ... } (pwd.h)
        return Marshal.ReadInt32(entry, 2 * IntPtr.Size);
    }

    /// <summary>The full path of <paramref name="binary"/> on $PATH, or null.</summary>
    public static string? FindOnPath(string binary)
    {
        string path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (string directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/sbin"]))
        {
            string candidate = Path.Combine(directory, binary);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>Runs <paramref name="binary"/> with <paramref name="arguments"/>; returns its exit code and output.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string binary, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr);
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUid();

    [LibraryImport("libc", EntryPoint = "getpwnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetPasswordEntry(string name);
}
