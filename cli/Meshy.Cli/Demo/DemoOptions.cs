using Microsoft.Extensions.Logging;

namespace Meshy.Cli.Demo;

/// <summary>How <c>meshy demo</c> was asked to run.</summary>
internal sealed record DemoOptions
{
    /// <summary><c>--port</c>: the proxy's HTTP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; } = 8080;

    /// <summary><c>--admin-port</c>: the admin port on 127.0.0.1; 0 picks a free one.</summary>
    public int AdminPort { get; init; } = 15000;

    /// <summary><c>--short</c>: fewer requests per step.</summary>
    public bool Short { get; init; }

    /// <summary>False with <c>--no-serve</c>: exit after the tour instead of serving until Ctrl-C.</summary>
    public bool Serve { get; init; } = true;

    /// <summary><c>--config-out</c>: where the live demo config is written; null for a fresh temp folder.</summary>
    public string? ConfigOut { get; init; }

    /// <summary><c>--log-level</c>: the proxy's log (stderr); warnings and up by default, so the tour stays readable.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Warning;

    /// <summary>Whether stdout is a terminal (progress drawn on one line).</summary>
    public bool Interactive { get; init; }
}
