namespace Meshy.Conf.Schema;

/// <summary>
/// <c>redirect = { scheme, host, port, path, prefix, status }</c>: answer with a Location built from the
/// request, each key replacing its part. <c>path</c> and <c>prefix</c> exclude each other.
/// </summary>
public sealed record RedirectConfig
{
    /// <summary>Default of <see cref="Status"/>: 301.</summary>
    public const int DefaultStatus = 301;

    /// <summary><c>scheme</c>: <c>http</c> or <c>https</c>; default the request's.</summary>
    public string? Scheme { get; init; }

    /// <summary><c>host</c>: the new host; default the request's.</summary>
    public string? Host { get; init; }

    /// <summary><c>port</c>: 1–65535; default the request's (none printed for the scheme's default port).</summary>
    public int? Port { get; init; }

    /// <summary><c>path</c>: the whole new path (starts with <c>/</c>); the query is kept.</summary>
    public string? Path { get; init; }

    /// <summary><c>prefix</c>: replaces the matched <c>path.prefix</c> (starts with <c>/</c>).</summary>
    public string? Prefix { get; init; }

    /// <summary><c>status</c>: 301 (default), 302, 303, 307 or 308.</summary>
    public int Status { get; init; } = DefaultStatus;
}
