namespace Meshy.Conf.Schema;

/// <summary>
/// <c>clusters[].hash_on</c>: <c>"header:NAME"</c>, <c>"cookie:NAME"</c> or <c>"source_ip"</c>. A request
/// without the header or cookie is hashed on a random value (so it goes anywhere).
/// </summary>
public sealed record HashOnConfig
{
    /// <summary>Which part of the request.</summary>
    public required HashOnKind Kind { get; init; }

    /// <summary>The header or cookie name; empty for <see cref="HashOnKind.SourceIp"/>.</summary>
    public string Name { get; init; } = "";

    /// <summary>The config text: <c>header:x-user</c>, <c>cookie:session</c> or <c>source_ip</c>.</summary>
    public string Text => Kind switch
    {
        HashOnKind.Header => "header:" + Name,
        HashOnKind.Cookie => "cookie:" + Name,
        _ => "source_ip",
    };
}
