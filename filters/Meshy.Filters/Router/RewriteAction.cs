using System.Buffers;
using System.Text;
using Meshy.Conf.Schema;
using Meshy.Engine.Http;

namespace Meshy.Filters.Router;

/// <summary>
/// A compiled <c>rewrite = { prefix, host }</c>: <c>prefix</c> replaces the part of the path the rule's
/// <c>path.prefix</c> matched, or the whole path when the rule did not match by prefix (CONTRACT);
/// <c>host</c> replaces the authority sent upstream. The query is kept. The new path is built in a stack
/// or pooled buffer and copied into the request's arena: no allocation.
/// </summary>
internal sealed class RewriteAction
{
    private const int StackBytes = 512;

    private readonly byte[]? _prefix;
    private readonly byte[]? _host;

    public RewriteAction(RewriteConfig config)
    {
        Config = config;
        _prefix = config.Prefix is null ? null : Encoding.UTF8.GetBytes(config.Prefix);
        _host = config.Host is null ? null : Encoding.ASCII.GetBytes(config.Host);
    }

    /// <summary>The rewrite as configured.</summary>
    public RewriteConfig Config { get; }

    /// <summary>Rewrites <paramref name="request"/>, which matched by <paramref name="match"/>.</summary>
    public void Apply(HttpRequestHead request, RouteMatch match)
    {
        if (_prefix is { } prefix)
        {
            ReadOnlySpan<byte> path = request.Path;
            ReadOnlySpan<byte> rest = match.MatchesByPrefix ? path[Math.Min(match.PrefixLength, path.Length)..] : default;
            int length = prefix.Length + rest.Length;
            byte[]? rented = null;
            Span<byte> buffer = length <= StackBytes ? stackalloc byte[StackBytes] : (rented = ArrayPool<byte>.Shared.Rent(length));
            try
            {
                prefix.CopyTo(buffer);
                rest.CopyTo(buffer[prefix.Length..]);
                request.SetPath(buffer[..length]);
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }
        if (_host is { } host)
        {
            request.SetAuthority(host);
        }
    }

    /// <summary>For <c>meshy route</c>.</summary>
    public string Describe() => string.Join(", ", new[]
    {
        Config.Prefix is null ? null : $"prefix \"{Config.Prefix}\"",
        Config.Host is null ? null : $"host \"{Config.Host}\"",
    }.OfType<string>());
}
