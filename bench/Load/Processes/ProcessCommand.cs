using System.Globalization;

namespace Meshy.Bench.Load.Processes;

/// <summary>A program and its arguments, never joined into one shell string.</summary>
internal sealed record ProcessCommand(string FileName, IReadOnlyList<string> Arguments)
{
    public ProcessCommand(string fileName, params string[] arguments)
        : this(fileName, (IReadOnlyList<string>)arguments)
    {
    }

    /// <summary>
    /// The same command under <c>taskset -c CPU</c>, behind the <paramref name="scheduling"/>
    /// wrapper (<c>nice</c> or <c>chrt</c>). Each execs the next in place, so the pid we hold stays
    /// the program's.
    /// </summary>
    public ProcessCommand PinnedTo(int cpu, Scheduling? scheduling = null)
    {
        string[] command = [.. scheduling?.Prefix ?? [], "taskset", "-c", cpu.ToString(CultureInfo.InvariantCulture), FileName, .. Arguments];
        return new ProcessCommand(command[0], command[1..]);
    }

    public override string ToString() => string.Join(' ', Arguments.Prepend(FileName).Select(Quote));

    private static string Quote(string part) => part.Contains(' ', StringComparison.Ordinal) ? $"'{part}'" : part;
}
