using System.Globalization;
using System.Net;

namespace Meshy.Bench.Load.Cli;

/// <summary>
/// A deliberately small <c>--name value</c> / <c>--flag</c> parser: the bench tools are started by
/// the runner with known arguments, so System.ProcessCommand would add startup time to every run
/// without helping anyone.
/// </summary>
internal sealed class CommandArgs
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    private CommandArgs(IReadOnlyList<string> positional)
    {
        Positional = positional;
    }

    /// <summary>Arguments that are neither options nor option values, in order.</summary>
    public IReadOnlyList<string> Positional { get; }

    /// <summary>Parses <paramref name="args"/>; <paramref name="flags"/> are the options that take no value.</summary>
    public static CommandArgs Parse(IReadOnlyList<string> args, params string[] flags)
    {
        var positional = new List<string>();
        var parsed = new CommandArgs(positional);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(arg);
                continue;
            }

            string name = arg[2..];
            string? value = null;
            int equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }
            else if (!flags.Contains(name))
            {
                if (i + 1 >= args.Count)
                {
                    throw new UsageException($"--{name} needs a value");
                }
                value = args[++i];
            }

            parsed._options[name] = value;
        }
        return parsed;
    }

    public bool Flag(string name)
    {
        _read.Add(name);
        return _options.ContainsKey(name);
    }

    public string? String(string name)
    {
        _read.Add(name);
        return _options.TryGetValue(name, out string? value) ? value : null;
    }

    public string String(string name, string fallback) => String(name) ?? fallback;

    public int Int(string name, int fallback, int min = 0, int max = int.MaxValue)
    {
        string? text = String(name);
        if (text is null)
        {
            return fallback;
        }
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            throw new UsageException($"--{name} must be an integer from {min} to {max} (got '{text}')");
        }
        return value;
    }

    public TimeSpan Duration(string name, TimeSpan fallback)
    {
        string? text = String(name);
        if (text is null)
        {
            return fallback;
        }
        return DurationText.TryParse(text, out TimeSpan value) && value > TimeSpan.Zero
            ? value
            : throw new UsageException($"--{name} must be a positive duration like 500ms, 10s or 1m (got '{text}')");
    }

    public IPEndPoint EndPoint(string name)
    {
        string text = String(name) ?? throw new UsageException($"--{name} HOST:PORT is required");
        return IPEndPoint.TryParse(text, out IPEndPoint? endPoint) && endPoint.Port != 0
            ? endPoint
            : throw new UsageException($"--{name} must be an IP address and port like 127.0.0.1:8080 (got '{text}')");
    }

    /// <summary>Fails on options nobody asked for, so a typo is never silently ignored.</summary>
    public void RejectUnknown()
    {
        foreach (string name in _options.Keys)
        {
            if (!_read.Contains(name))
            {
                throw new UsageException($"unknown option --{name}");
            }
        }
    }
}
