namespace Meshy.Conf.Schema;

/// <summary><c>headers.request</c> and <c>headers.response</c>: header edits of a rule.</summary>
public sealed record HeadersConfig
{
    /// <summary>No edits.</summary>
    public static HeadersConfig None { get; } = new();

    /// <summary><c>headers.request</c>: applied to the request before it is proxied.</summary>
    public HeaderMutationConfig Request { get; init; } = HeaderMutationConfig.None;

    /// <summary><c>headers.response</c>: applied to the response before it is returned.</summary>
    public HeaderMutationConfig Response { get; init; } = HeaderMutationConfig.None;
}
