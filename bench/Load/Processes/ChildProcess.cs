using System.Diagnostics;
using System.Threading.Channels;

namespace Meshy.Bench.Load.Processes;

/// <summary>
/// A process the runner started and must end: its stdout lines can be awaited, the last lines of
/// both streams are kept for error messages, and disposing it kills the whole process tree
/// (nginx forks its workers) if it is still running.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private const int TailLines = 40;

    // How .NET logging, haproxy and nginx mark a fatal line.
    private static readonly string[] ErrorMarkers = ["fail:", "crit:", "error", "exception", "[alert]", "[emerg]"];

    private readonly Process _process;
    private readonly Channel<string> _stdout = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Queue<string> _tail = new();
    private string? _firstError;
    private int _disposed;

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    /// <summary>Short name for messages: <c>haproxy</c>, <c>tcp-sink</c>.</summary>
    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <paramref name="command"/>; stdin, stdout and stderr are pipes owned by this object.</summary>
    public static ChildProcess Start(string name, ProcessCommand command, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (string argument in command.Arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(name, process);
        process.OutputDataReceived += (_, e) => child.OnStdout(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnStderr(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException($"cannot start {name} ({command.FileName}): {e.Message}", e);
        }
        ChildProcessRegistry.Add(child);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>The next stdout line, or null when stdout ended or <paramref name="timeout"/> passed.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await _stdout.Reader.WaitToReadAsync(deadline.Token) && _stdout.Reader.TryRead(out string? line) ? line : null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Every stdout line not yet read, after the process ended.</summary>
    public IReadOnlyList<string> DrainStdout()
    {
        var lines = new List<string>();
        while (_stdout.Reader.TryRead(out string? line))
        {
            lines.Add(line);
        }
        return lines;
    }

    /// <summary>Waits for the exit; on <paramref name="timeout"/> throws <see cref="TimeoutException"/> (the process keeps running).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            // Also waits for the redirected streams to reach end of file, so no line is lost.
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout.TotalSeconds:0.#}s");
        }
        return _process.ExitCode;
    }

    /// <summary>Closes the child's stdin: the bench tools read it as "stop" (see <c>StdinWatch</c>).</summary>
    public void CloseStdin()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already gone.
        }
    }

    /// <summary>The last lines the process wrote on stdout and stderr, for error messages.</summary>
    public string Tail(int lines = 8)
    {
        lock (_tail)
        {
            return string.Join(" | ", _tail.Skip(Math.Max(0, _tail.Count - lines)));
        }
    }

    /// <summary>
    /// Why the process failed, as well as its output tells: the first line that looks like an error,
    /// without its stack trace (a crash during shutdown often buries the real reason under its own
    /// trace), else the last lines.
    /// </summary>
    public string Diagnosis()
    {
        string? first;
        lock (_tail)
        {
            first = _firstError;
        }
        if (first is null)
        {
            return Tail(3);
        }
        int trace = first.IndexOf("   at ", StringComparison.Ordinal);
        string reason = (trace > 0 ? first[..trace] : first).TrimEnd();
        return reason.Length <= 400 ? reason : reason[..397] + "...";
    }

    /// <summary>Kills the process tree (idempotent, never throws).</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Exited between the check and the kill.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        Kill();
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            // SIGKILL cannot be ignored; a process stuck in the kernel is not ours to wait for.
        }
        ChildProcessRegistry.Remove(this);
        _process.Dispose();
    }

    private void OnStdout(string? line)
    {
        if (line is null)
        {
            _stdout.Writer.TryComplete();
            return;
        }
        _stdout.Writer.TryWrite(line);
        Remember(line);
    }

    private void OnStderr(string? line)
    {
        if (line is not null)
        {
            Remember(line);
        }
    }

    private void Remember(string line)
    {
        lock (_tail)
        {
            if (_firstError is null && ErrorMarkers.Any(m => line.Contains(m, StringComparison.OrdinalIgnoreCase)))
            {
                _firstError = line.Trim();
            }
            _tail.Enqueue(line);
            if (_tail.Count > TailLines)
            {
                _tail.Dequeue();
            }
        }
    }
}
