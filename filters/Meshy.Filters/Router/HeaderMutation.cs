using System.Collections.Immutable;
using System.Text;
using Meshy.Conf.Schema;
using Meshy.Engine.Http;

namespace Meshy.Filters.Router;

/// <summary>
/// A compiled <c>headers.request</c> or <c>headers.response</c>: names and values as bytes, applied in
/// the contract's order: <c>set</c> replaces, <c>add</c> appends, <c>remove</c> deletes. The header list
/// copies into its pooled arena, so applying allocates nothing.
/// </summary>
internal sealed class HeaderMutation
{
    private readonly (byte[] Name, byte[] Value)[] _set;
    private readonly (byte[] Name, byte[] Value)[] _add;
    private readonly byte[][] _remove;

    private HeaderMutation(HeaderMutationConfig config)
    {
        _set = [.. config.Set.Select(Encode)];
        _add = [.. config.Add.Select(Encode)];
        _remove = [.. config.Remove.Select(Encoding.ASCII.GetBytes)];
        Config = config;
    }

    /// <summary>The edits as configured.</summary>
    public HeaderMutationConfig Config { get; }

    /// <summary>The compiled edits, or null when there are none.</summary>
    public static HeaderMutation? Compile(HeaderMutationConfig config) => config.IsEmpty ? null : new HeaderMutation(config);

    /// <summary>Edits <paramref name="headers"/>.</summary>
    public void Apply(HttpHeaderList headers)
    {
        foreach ((byte[] name, byte[] value) in _set)
        {
            headers.Set(name, value);
        }
        foreach ((byte[] name, byte[] value) in _add)
        {
            headers.Add(name, value);
        }
        foreach (byte[] name in _remove)
        {
            headers.Remove(name);
        }
    }

    /// <summary>For <c>meshy route</c>: <c>set x-a: 1; add x-b: 2; remove x-c</c>.</summary>
    public string Describe()
    {
        ImmutableArray<string> parts =
        [
            .. Config.Set.Select(kv => $"set {kv.Key}: {kv.Value}"),
            .. Config.Add.Select(kv => $"add {kv.Key}: {kv.Value}"),
            .. Config.Remove.Select(name => $"remove {name}"),
        ];
        return string.Join("; ", parts);
    }

    private static (byte[], byte[]) Encode(KeyValuePair<string, string> field) =>
        (Encoding.ASCII.GetBytes(field.Key), Encoding.Latin1.GetBytes(field.Value));
}
