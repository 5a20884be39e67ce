using System.Diagnostics;

namespace Meshy.Bench.Load.Processes;

/// <summary>Finding installed programs (haproxy lives in /usr/sbin, which a user's PATH may lack) and asking their version.</summary>
internal static class ExternalTool
{
    private static readonly string[] ExtraDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>Full path of <paramref name="name"/>, or null when it is not installed.</summary>
    public static string? Find(string name)
    {
        IEnumerable<string> path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        foreach (string directory in path.Concat(ExtraDirectories))
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>Stdout and stderr of a short command (version queries), empty on any failure.</summary>
    public static string Output(string fileName, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        try
        {
            using Process process = Process.Start(info) ?? throw new InvalidOperationException();
            process.StandardInput.Close();
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                return "";
            }
            return stdout.Result + stderr.Result;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return "";
        }
    }

    /// <summary>First line of <paramref name="output"/> that contains <paramref name="marker"/>, trimmed.</summary>
    public static string? LineWith(string output, string marker) =>
        output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Contains(marker, StringComparison.OrdinalIgnoreCase));
}
