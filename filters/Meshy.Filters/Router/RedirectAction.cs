using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Meshy.Conf.Schema;
using Meshy.Engine.Http;

namespace Meshy.Filters.Router;

/// <summary>
/// A compiled <c>redirect = { scheme, host, port, path, prefix, status }</c>: the answer's Location is
/// the request's URL with each configured part replaced, written once per request into a stack or
/// pooled buffer (no string building):
/// <code>
///   scheme "://" host [":" port] path ["?" query]
/// </code>
/// <list type="bullet">
/// <item><c>port</c>: the configured one; else the request's, unless <c>scheme</c> changes it (a port
/// belongs to its scheme: http://a:8080 → https://a). A scheme's default port (80, 443) is not printed.</item>
/// <item><c>path</c> replaces the whole path; <c>prefix</c> replaces what <c>path.prefix</c> matched, or
/// the whole path when the rule did not match by prefix (as <c>rewrite.prefix</c>). The query is kept.</item>
/// </list>
/// </summary>
internal sealed class RedirectAction
{
    private const int StackBytes = 512;

    private readonly byte[]? _scheme;
    private readonly byte[]? _host;
    private readonly byte[]? _path;
    private readonly byte[]? _prefix;

    public RedirectAction(RedirectConfig config)
    {
        Config = config;
        _scheme = config.Scheme is null ? null : Encoding.ASCII.GetBytes(config.Scheme.ToLowerInvariant());
        _host = config.Host is null ? null : Encoding.ASCII.GetBytes(config.Host);
        _path = config.Path is null ? null : Encoding.UTF8.GetBytes(config.Path);
        _prefix = config.Prefix is null ? null : Encoding.UTF8.GetBytes(config.Prefix);
    }

    /// <summary>The redirect as configured.</summary>
    public RedirectConfig Config { get; }

    /// <summary><c>status</c>.</summary>
    public int Status => Config.Status;

    /// <summary>Answers the exchange with the redirect: status, no body, <c>location</c>.</summary>
    public void Apply(HttpExchange exchange, RouteMatch match)
    {
        HttpRequestHead request = exchange.Request;
        int capacity = MaxLength(request);
        byte[]? rented = null;
        Span<byte> buffer = capacity <= StackBytes ? stackalloc byte[StackBytes] : (rented = ArrayPool<byte>.Shared.Rent(capacity));
        try
        {
            int length = Write(request, match, buffer);
            exchange.SendDirectResponse(Status);
            exchange.Response.Headers.Set("location"u8, buffer[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The Location for <paramref name="request"/> as a string (<c>meshy route</c>; allocates).</summary>
    public string Location(HttpRequestHead request, RouteMatch match)
    {
        byte[] buffer = new byte[MaxLength(request)];
        return Encoding.Latin1.GetString(buffer, 0, Write(request, match, buffer));
    }

    private int MaxLength(HttpRequestHead request) =>
        (_scheme?.Length ?? request.Scheme.Length) + 3
        + (_host?.Length ?? request.Authority.Length) + 6
        + (_path?.Length ?? 0) + (_prefix?.Length ?? 0) + request.Path.Length
        + 1 + request.Query.Length;

    private int Write(HttpRequestHead request, RouteMatch match, Span<byte> destination)
    {
        ReadOnlySpan<byte> authority = request.Authority;
        ReadOnlySpan<byte> requestHost = VirtualHostTable.StripPort(authority);
        ReadOnlySpan<byte> requestPort = requestHost.Length + 1 < authority.Length ? authority[(requestHost.Length + 1)..] : default;
        ReadOnlySpan<byte> scheme = _scheme ?? request.Scheme;
        bool schemeChanged = _scheme is not null && !_scheme.AsSpan().SequenceEqual(request.Scheme);

        // 1. scheme://host
        var writer = new SpanWriter(destination);
        writer.Write(scheme);
        writer.Write("://"u8);
        writer.Write(_host ?? requestHost);

        // 2. the port, unless it is the scheme's default
        if (Config.Port is int port)
        {
            if (!IsDefaultPort(scheme, port))
            {
                writer.Write(":"u8);
                writer.WriteInt(port);
            }
        }
        else if (!schemeChanged && !requestPort.IsEmpty && !(Utf8Parser.TryParse(requestPort, out int parsed, out _) && IsDefaultPort(scheme, parsed)))
        {
            writer.Write(":"u8);
            writer.Write(requestPort);
        }

        // 3. path, then the query as received
        ReadOnlySpan<byte> path = request.Path;
        if (_path is not null)
        {
            writer.Write(_path);
        }
        else if (_prefix is not null)
        {
            writer.Write(_prefix);
            if (match.MatchesByPrefix)
            {
                writer.Write(path[Math.Min(match.PrefixLength, path.Length)..]);
            }
        }
        else
        {
            writer.Write(path);
        }
        if (request.HasQuery)
        {
            writer.Write("?"u8);
            writer.Write(request.Query);
        }
        return writer.Written;
    }

    private static bool IsDefaultPort(ReadOnlySpan<byte> scheme, int port) =>
        (port == 80 && scheme.SequenceEqual("http"u8)) || (port == 443 && scheme.SequenceEqual("https"u8));

    /// <summary>For <c>meshy route</c>.</summary>
    public string Describe() => string.Join(", ", new[]
    {
        $"status {Config.Status}",
        Config.Scheme is null ? null : $"scheme {Config.Scheme}",
        Config.Host is null ? null : $"host {Config.Host}",
        Config.Port is null ? null : $"port {Config.Port}",
        Config.Path is null ? null : $"path \"{Config.Path}\"",
        Config.Prefix is null ? null : $"prefix \"{Config.Prefix}\"",
    }.OfType<string>());

    private ref struct SpanWriter(Span<byte> destination)
    {
        private readonly Span<byte> _destination = destination;

        public int Written { get; private set; }

        public void Write(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_destination[Written..]);
            Written += bytes.Length;
        }

        public void WriteInt(int value)
        {
            Utf8Formatter.TryFormat(value, _destination[Written..], out int written);
            Written += written;
        }
    }
}
