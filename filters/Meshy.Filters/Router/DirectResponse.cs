using System.Collections.Immutable;

namespace Meshy.Filters.Router;

/// <summary>A compiled <c>respond = { status, body, headers }</c>: bytes ready to send, built once per snapshot.</summary>
internal sealed class DirectResponse
{
    /// <summary><c>status</c>.</summary>
    public required int Status { get; init; }

    /// <summary><c>body</c> as UTF-8; empty when none.</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary><c>headers</c>, names and values as bytes.</summary>
    public required ImmutableArray<(byte[] Name, byte[] Value)> Headers { get; init; }
}
