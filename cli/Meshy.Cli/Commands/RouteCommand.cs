using System.Collections.Frozen;
using System.CommandLine;
using System.Net;
using System.Text;
using Meshy.Conf.Compilation;
using Meshy.Conf.Loading;
using Meshy.Engine.Http;
using Meshy.Engine.Runtime;
using Meshy.Engine.Upstream;
using Meshy.Filters.Router;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshy.Cli.Commands;

/// <summary>
/// <c>meshy route --config FILE METHOD URL [-H 'name: value']... [--source IP] [--listener NAME]</c>:
/// explains how the proxy would route one request, with the compiled router the proxy runs (same
/// tables, same matching code). Nothing is sent. Exit 0 when a rule matches, or when none does on an
/// <c>--listener</c> with <c>original_destination = true</c> (the request passes through); 1 with the reason
/// when none does otherwise (what the proxy answers 404 <c>NR</c>) or the config is bad; 2 for usage errors.
/// </summary>
internal static class RouteCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config", "-c")
        {
            Description = "config file (else $MESHY_CONFIG, else conf/meshy.toml)",
        };
        var headers = new Option<string[]>("--header", "-H")
        {
            Description = "a request header, 'name: value'; repeat for more",
            AllowMultipleArgumentsPerToken = false,
        };
        var source = new Option<string?>("--source")
        {
            Description = "the client's IP address, for match.source and ring hashing on source_ip",
        };
        var listener = new Option<string?>("--listener")
        {
            Description = "route with this listener's tables (default: every route table)",
        };
        var method = new Argument<string>("METHOD") { Description = "the request method, e.g. GET" };
        var url = new Argument<string>("URL") { Description = "http://host[:port]/path?query, or /path?query with -H 'host: ...'" };
        var command = new Command("route", "Explain which route table, rule, destinations and policies a request would get. Nothing is sent.")
        {
            config, headers, source, listener, method, url,
        };
        command.SetAction(parsed => Route(
            parsed.GetValue(config),
            parsed.GetValue(method)!,
            parsed.GetValue(url)!,
            parsed.GetValue(headers) ?? [],
            parsed.GetValue(source),
            parsed.GetValue(listener)));
        return command;
    }

    private static int Route(string? configOption, string method, string url, string[] headers, string? sourceText, string? listener)
    {
        // 1. usage: the request itself
        string? path = ConfigPathResolver.Resolve(configOption);
        if (path is null)
        {
            return Usage("no config: give --config FILE (or set $MESHY_CONFIG)");
        }
        IPAddress? source = null;
        if (sourceText is not null && !IPAddress.TryParse(sourceText, out source))
        {
            return Usage($"--source: not an IP address: \"{sourceText}\"");
        }
        using var request = new HttpRequestHead();
        if (BuildRequest(request, method, url, headers) is { } problem)
        {
            return Usage(problem);
        }

        // 2. the config, compiled as `meshy run` compiles it
        ConfigLoadResult loaded = ConfigLoader.LoadFile(path);
        if (!loaded.Success)
        {
            foreach (ConfigDiagnostic diagnostic in loaded.Diagnostics)
            {
                Console.Error.WriteLine(diagnostic.ToString());
            }
            return ExitCodes.Failed;
        }
        ProxySnapshot snapshot = new SnapshotCompiler(new EndpointRegistry(), networkFactories: []).Compile(loaded.Config!, path, buildListeners: false);
        var context = new CompilationContext { Config = loaded.Config!, Clusters = snapshot.Clusters };
        FrozenDictionary<string, RouteTable> tables = new RouteTableCompiler([], NullLogger.Instance).GetTables(context);
        VirtualHostTable hosts;
        try
        {
            hosts = RouteExplainer.HostsFor(loaded.Config!, tables, listener);
        }
        catch (ArgumentException ex)
        {
            return Usage("--listener: " + ex.Message);
        }

        // 3. the explanation
        // On an original_destination listener a request no rule takes passes through rather than failing (NR).
        bool originalDestination = listener is not null && loaded.Config!.Listeners.Any(l => l.Name == listener && l.OriginalDestination);
        if (new RouteExplainer(hosts, originalDestination).Explain(request, source, Console.Out, out string reason))
        {
            return ExitCodes.Ok;
        }
        Console.Error.WriteLine($"meshy: {reason}");
        return ExitCodes.Failed;
    }

    /// <summary>Fills <paramref name="request"/>; a usage problem, or null.</summary>
    private static string? BuildRequest(HttpRequestHead request, string method, string url, string[] headers)
    {
        if (method.Length == 0 || method.Any(c => !char.IsAsciiLetterUpper(c) && c != '-' && c != '_'))
        {
            return $"METHOD: expected an upper-case token such as GET (got \"{method}\")";
        }
        request.SetMethod(method switch
        {
            "GET" => HttpMethodKind.Get,
            "HEAD" => HttpMethodKind.Head,
            "POST" => HttpMethodKind.Post,
            "PUT" => HttpMethodKind.Put,
            "DELETE" => HttpMethodKind.Delete,
            "CONNECT" => HttpMethodKind.Connect,
            "OPTIONS" => HttpMethodKind.Options,
            "TRACE" => HttpMethodKind.Trace,
            "PATCH" => HttpMethodKind.Patch,
            _ => HttpMethodKind.Custom,
        }, Encoding.ASCII.GetBytes(method));

        string? authority = null;
        string target = url;
        int schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            string scheme = url[..schemeEnd];
            if (scheme is not ("http" or "https"))
            {
                return $"URL: expected http:// or https:// (got \"{url}\")";
            }
            string rest = url[(schemeEnd + 3)..];
            int pathStart = rest.IndexOfAny(['/', '?']);
            authority = pathStart < 0 ? rest : rest[..pathStart];
            target = pathStart < 0 ? "/" : rest[pathStart..];
            if (target.StartsWith('?'))
            {
                target = "/" + target;
            }
        }
        else if (!url.StartsWith('/'))
        {
            return $"URL: expected http://host/path or /path (got \"{url}\")";
        }

        foreach (string header in headers)
        {
            int colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return $"-H: expected 'name: value' (got \"{header}\")";
            }
            string name = header[..colon].Trim();
            string value = header[(colon + 1)..].Trim();
            if (name.Equals("host", StringComparison.OrdinalIgnoreCase))
            {
                // Host is the authority, as the proxy's codecs treat it.
                authority = value;
                continue;
            }
            request.Headers.Add(Encoding.ASCII.GetBytes(name), Encoding.Latin1.GetBytes(value));
        }
        if (string.IsNullOrEmpty(authority))
        {
            return "URL: no host: give http://host/path, or -H 'host: NAME' with a /path";
        }
        request.SetAuthority(Encoding.ASCII.GetBytes(authority));
        int question = target.IndexOf('?', StringComparison.Ordinal);
        request.SetPath(Encoding.UTF8.GetBytes(question < 0 ? target : target[..question]));
        if (question >= 0)
        {
            request.SetQuery(Encoding.UTF8.GetBytes(target[(question + 1)..]));
        }
        return null;
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"meshy: {message}");
        return ExitCodes.Usage;
    }
}
