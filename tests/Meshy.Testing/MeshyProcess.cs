using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Meshy.Testing;

/// <summary>
/// Runs the real <c>meshy</c> command as a child process (<c>dotnet meshy.dll ...</c>, or a published
/// native <c>meshy</c>) and reads its log lines, so tests can learn the ports it bound (port 0) and
/// wait for what it says.
/// </summary>
public sealed partial class MeshyProcess : IAsyncDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Lock _linesLock = new();
    private readonly SemaphoreSlim _lineArrived = new(0, int.MaxValue);
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private MeshyProcess(Process process)
    {
        _process = process;
    }

    /// <summary>The path of meshy.dll next to the test assembly.</summary>
    public static string MeshyDll => typeof(Meshy.Cli.Commands.ExitCodes).Assembly.Location;

    /// <summary>The command that starts meshy: <paramref name="executable"/> when given, else <c>dotnet meshy.dll</c>.</summary>
    private static IEnumerable<string> MeshyCommand(string? executable) => executable is null ? ["dotnet", MeshyDll] : [executable];

    /// <summary>Every line written so far on stdout and stderr, in arrival order.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_linesLock)
            {
                return [.. _lines];
            }
        }
    }

    public int ProcessId => _process.Id;

    /// <summary>
    /// A memory figure of the process in KiB from <c>/proc/PID/status</c> (Linux): <c>VmRSS</c> (resident now)
    /// or <c>VmHWM</c> (the peak resident set so far).
    /// </summary>
    public long StatusKiB(string field)
    {
        string line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    /// <summary>
    /// Starts <c>meshy ARGS...</c> with the working directory given (default: a fresh temp folder). With
    /// <paramref name="commandPrefix"/> the command runs under it, e.g. <c>ip netns exec NS</c> (#8);
    /// with <paramref name="executable"/> that program is meshy instead of <c>dotnet meshy.dll</c>.
    /// </summary>
    public static MeshyProcess Start(
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        IDictionary<string, string>? environment = null,
        IReadOnlyList<string>? commandPrefix = null,
        string? executable = null)
    {
        ProcessStartInfo start = StartInfo(
            [.. commandPrefix ?? [], .. MeshyCommand(executable), .. arguments],
            workingDirectory ?? Directory.CreateTempSubdirectory("meshy-run-").FullName,
            environment);
        start.RedirectStandardInput = true;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var meshy = new MeshyProcess(process);
        process.OutputDataReceived += (_, e) => meshy.OnLine(e.Data, meshy._stdoutClosed);
        process.ErrorDataReceived += (_, e) => meshy.OnLine(e.Data, meshy._stderrClosed);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return meshy;
    }

    /// <summary>Runs <c>meshy ARGS...</c> to completion and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunToEndAsync(
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        IDictionary<string, string>? environment = null,
        string? executable = null,
        TimeSpan? timeout = null)
    {
        ProcessStartInfo start = StartInfo([.. MeshyCommand(executable), .. arguments], workingDirectory ?? Environment.CurrentDirectory, environment);
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? DefaultWait);
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts <c>meshy run --config PATH</c> and waits until admin and every listener are up.</summary>
    public static Task<MeshyProcess> RunAsync(string configPath, params string[] listeners) => RunAsync(null, configPath, listeners);

    /// <summary>As <see cref="RunAsync(string, string[])"/>, with the program <paramref name="executable"/> as meshy.</summary>
    public static Task<MeshyProcess> RunExecutableAsync(string executable, string configPath, params string[] listeners) =>
        RunAsync(executable, configPath, listeners);

    private static async Task<MeshyProcess> RunAsync(string? executable, string configPath, string[] listeners)
    {
        MeshyProcess meshy = Start(["run", "--config", configPath, "--log-level", "Debug"], executable: executable);
        try
        {
            await meshy.WaitForLineAsync(AdminListening());
            foreach (string listener in listeners)
            {
                await meshy.ListenerEndPointAsync(listener);
            }
            return meshy;
        }
        catch
        {
            await meshy.DisposeAsync();
            throw;
        }
    }

    /// <summary>The admin endpoint, from the log line that announced it.</summary>
    public async Task<IPEndPoint> AdminEndPointAsync()
    {
        Match match = await WaitForLineAsync(AdminListening());
        return IPEndPoint.Parse(match.Groups["endpoint"].Value);
    }

    /// <summary>The bound endpoint of a listener, from its "listening on" log line (the latest one).</summary>
    public async Task<IPEndPoint> ListenerEndPointAsync(string listener)
    {
        var pattern = new Regex($@"listener {Regex.Escape(listener)} \(\w+\) listening on (?<endpoint>\S+)$");
        await WaitForLineAsync(pattern);
        Match last = Lines.Select(line => pattern.Match(line)).Last(m => m.Success);
        return IPEndPoint.Parse(last.Groups["endpoint"].Value);
    }

    /// <summary>Waits for a line matching <paramref name="pattern"/> (searching from the start) and returns its match.</summary>
    public Task<Match> WaitForLineAsync(Regex pattern, TimeSpan? timeout = null) => WaitForLineAsync(pattern, 0, timeout);

    /// <summary>Waits for a line at index ≥ <paramref name="fromLine"/> matching <paramref name="pattern"/>.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, int fromLine, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? DefaultWait);
        int scanned = fromLine;
        while (true)
        {
            IReadOnlyList<string> lines = Lines;
            for (; scanned < lines.Count; scanned++)
            {
                Match match = pattern.Match(lines[scanned]);
                if (match.Success)
                {
                    return match;
                }
            }
            if (_process.HasExited && _stdoutClosed.Task.IsCompleted && _stderrClosed.Task.IsCompleted && scanned >= Lines.Count)
            {
                throw new InvalidOperationException(
                    $"meshy exited ({_process.ExitCode}) without printing /{pattern}/. Output:\n{string.Join('\n', Lines)}");
            }
            try
            {
                await _lineArrived.WaitAsync(TimeSpan.FromMilliseconds(200), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"meshy did not print /{pattern}/ in time. Output:\n{string.Join('\n', Lines)}");
            }
        }
    }

    /// <summary>Sends a POSIX signal (SIGTERM 15, SIGINT 2, SIGHUP 1) to the process.</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? DefaultWait);
        await _process.WaitForExitAsync(deadline.Token);
        await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(deadline.Token);
        return _process.ExitCode;
    }

    public bool HasExited => _process.HasExited;

    private void OnLine(string? line, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            _lineArrived.Release();
            return;
        }
        lock (_linesLock)
        {
            _lines.Add(line);
        }
        _lineArrived.Release();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    /// <summary>The command line <paramref name="command"/> with output captured and no inherited <c>MESHY_CONFIG</c>.</summary>
    private static ProcessStartInfo StartInfo(IReadOnlyList<string> command, string workingDirectory, IDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (string word in command.Skip(1))
        {
            start.ArgumentList.Add(word);
        }
        start.Environment.Remove("MESHY_CONFIG");
        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        return start;
    }

    private static Regex AdminListening() => AdminListeningRegex();

    [GeneratedRegex(@"admin listening on (?<endpoint>\S+)$")]
    private static partial Regex AdminListeningRegex();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
