using System.Collections.Immutable;

namespace Meshy.Conf.Schema;

/// <summary><c>[access_log]</c>: one JSON line per request or TCP session.</summary>
public sealed record AccessLogConfig
{
    /// <summary>
    /// Every field name <c>fields</c> may list, in the order a line prints them. <c>time</c> is RFC 3339 UTC;
    /// <c>duration</c> and <c>upstream_time</c> are milliseconds; <c>bytes_received</c>/<c>bytes_sent</c> count downstream bytes.
    /// </summary>
    public static ImmutableArray<string> KnownFields { get; } =
    [
        "time", "listener", "protocol", "method", "authority", "path", "route", "rule", "cluster", "subset",
        "endpoint", "status", "response_flags", "bytes_received", "bytes_sent", "duration", "request_id",
        "downstream_address", "user_agent", "upstream_time", "trace_id",
    ];

    /// <summary>The fields written when <c>fields</c> is not set.</summary>
    public static ImmutableArray<string> DefaultFields { get; } =
    [
        "time", "listener", "protocol", "method", "authority", "path", "route", "rule", "cluster", "subset",
        "endpoint", "status", "response_flags", "bytes_received", "bytes_sent", "duration", "request_id",
        "upstream_time", "trace_id",
    ];

    // NOTE: after KnownFields and DefaultFields: static initializers run in text order, and this one reads DefaultFields.
    /// <summary>What applies when the file has no <c>[access_log]</c> table: nothing is logged.</summary>
    public static AccessLogConfig Disabled { get; } = new() { Enabled = false };

    /// <summary>
    /// <c>enabled</c>: write the access log. Default <c>true</c> once an <c>[access_log]</c> table exists
    /// (writing the table is the opt-in); <c>false</c> when there is no table.
    /// </summary>
    public bool Enabled { get; init; } = true;

    /// <summary><c>path</c>: <c>"stdout"</c> (default), <c>"stderr"</c>, or a file path (appended to).</summary>
    public string Path { get; init; } = "stdout";

    /// <summary>
    /// <c>fields</c>: which fields each line carries, a subset of <see cref="KnownFields"/> without repeats.
    /// Default <see cref="DefaultFields"/>.
    /// </summary>
    public ImmutableArray<string> Fields { get; init; } = DefaultFields;
}
