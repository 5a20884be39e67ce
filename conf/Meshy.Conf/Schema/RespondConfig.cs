using System.Collections.Immutable;

namespace Meshy.Conf.Schema;

/// <summary><c>respond = { status, body, headers }</c>: answer directly without an upstream.</summary>
public sealed record RespondConfig
{
    /// <summary><c>status</c>: 200–599. Required.</summary>
    public required int Status { get; init; }

    /// <summary><c>body</c>: optional; sent with <c>content-type: text/plain</c> unless <see cref="Headers"/> sets one.</summary>
    public string? Body { get; init; }

    /// <summary><c>headers</c>: table name → value added to the response.</summary>
    public ImmutableArray<KeyValuePair<string, string>> Headers { get; init; } = [];
}
