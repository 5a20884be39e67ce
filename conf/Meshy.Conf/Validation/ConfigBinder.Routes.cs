using System.Collections.Immutable;
using System.Globalization;
using Meshy.Conf.Loading;
using Meshy.Conf.Schema;

namespace Meshy.Conf.Validation;

internal static partial class ConfigBinder
{
    private static readonly string[] ActionKeys = ["to", "redirect", "respond"];

    // Keys that only mean something when the rule proxies.
    private static readonly string[] ProxyOnlyKeys = ["timeout", "retries", "mirror", "rewrite"];

    private static readonly int[] RedirectStatuses = [301, 302, 303, 307, 308];

    private static readonly (string Name, RetryOn Flag)[] RetryConditions =
    [
        ("connect-failure", RetryOn.ConnectFailure),
        ("refused-stream", RetryOn.RefusedStream),
        ("reset", RetryOn.Reset),
        ("5xx", RetryOn.Status5xx),
        ("gateway-error", RetryOn.GatewayError),
        ("retriable-4xx", RetryOn.Retriable4xx),
    ];

    private static RouteTableConfig BindRouteTable(TableReader table)
    {
        string name = table.Name("name", required: true) ?? "";
        ImmutableArray<string>? hosts = BindHosts(table);
        if (!table.Table.TryGetKey("rules"))
        {
            table.Missing("rules", "add at least one [[routes.rules]]");
        }
        ImmutableArray<RouteRuleConfig> rules = table.Tables("rules", BindRule, "an array of tables ([[routes.rules]])");
        if (table.Node("rules") is TomlArrayNode { Items.Count: 0 } emptyRules)
        {
            table.Context.Error(emptyRules.Position, table.PathOf("rules"), "must have at least one rule");
        }
        CheckUniqueRuleNames(table, rules);
        return new RouteTableConfig { Name = name, Hosts = hosts ?? ["*"], Rules = rules };
    }

    private static ImmutableArray<string>? BindHosts(TableReader table)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        ImmutableArray<string>? hosts = table.List<string>("hosts", (TomlNode node, string path, out string? value) =>
        {
            if (!Values.String(table.Context, node, path, out value))
            {
                return false;
            }
            string host = value;
            bool valid = host == "*"
                || (host.StartsWith("*.", StringComparison.Ordinal) && ConfigAddress.IsHostName(host.AsSpan(2)))
                || ConfigAddress.IsHostName(host);
            if (!valid)
            {
                string expected = host.Contains(':', StringComparison.Ordinal)
                    ? "a host name without port (ports are ignored when matching)"
                    : "a host name, \"*.example.com\" or \"*\"";
                Values.Fail(table.Context, node, path, expected);
                return false;
            }
            if (!seen.Add(host))
            {
                table.Context.Error(node.Position, path, $"host {Describe.Quote(host)} is listed twice");
                return false;
            }
            return true;
        }, "an array of host names");
        if (table.Node("hosts") is TomlArrayNode { Items.Count: 0 } empty)
        {
            table.Context.Error(empty.Position, table.PathOf("hosts"), "must list at least one host (\"*\" serves every host)");
        }
        return hosts;
    }

    private static void CheckUniqueRuleNames(TableReader table, ImmutableArray<RouteRuleConfig> rules)
    {
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < rules.Length; i++)
        {
            if (rules[i].Name is not { } name)
            {
                continue;
            }
            string path = $"{table.PathOf("rules")}[{i}].name";
            if (first.TryGetValue(name, out int earlier))
            {
                SourcePosition previous = table.Context.ValuePosition($"{table.PathOf("rules")}[{earlier}].name");
                table.Context.Error(table.Context.ValuePosition(path), path,
                    $"duplicate rule name {Describe.Quote(name)} in this route table (first used at line {previous.Line})");
            }
            else
            {
                first[name] = i;
            }
        }
    }

    private static RouteRuleConfig BindRule(TableReader rule)
    {
        string? action = ExactlyOne(rule, ActionKeys);
        if (action is "redirect" or "respond")
        {
            foreach (string key in ProxyOnlyKeys.Where(rule.Table.TryGetKey))
            {
                rule.ErrorAtKey(key, $"only applies to rules that proxy with to (this rule answers with {action})");
            }
        }
        return new RouteRuleConfig
        {
            Name = rule.Name("name"),
            Match = BindMatches(rule),
            To = BindDestinations(rule),
            Redirect = BindRedirect(rule.SubTable("redirect")),
            Respond = BindRespond(rule.SubTable("respond")),
            Timeout = rule.Duration("timeout", positive: true, OneDay),
            Retries = BindRetries(rule.SubTable("retries")),
            Fault = BindFault(rule.SubTable("fault")),
            Mirror = BindMirror(rule.SubTable("mirror")),
            Headers = BindHeaders(rule.SubTable("headers")),
            Rewrite = BindRewrite(rule.SubTable("rewrite")),
        };
    }

    // match = { ... } is one condition set; match = [{ ... }, { ... }] is any of them.
    private static ImmutableArray<RouteMatchConfig> BindMatches(TableReader rule)
    {
        TomlNode? node = rule.Node("match");
        switch (node)
        {
            case null:
                return [];
            case TomlTableNode table:
            {
                var reader = new TableReader(rule.Context, table, rule.PathOf("match"));
                RouteMatchConfig match = BindMatch(reader);
                reader.Finish();
                return [match];
            }
            case TomlArrayNode { Items.Count: 0 }:
                rule.Context.Error(node.Position, rule.PathOf("match"), "must list at least one match table (leave match out to match every request)");
                return [];
            case TomlArrayNode:
                return rule.Tables("match", BindMatch, "a table or an array of tables");
            default:
                Values.Fail(rule.Context, node, rule.PathOf("match"), "a table or an array of tables");
                return [];
        }
    }

    private static RouteMatchConfig BindMatch(TableReader match)
    {
        var context = match.Context;
        return new RouteMatchConfig
        {
            Path = BindPathMatch(match.SubTable("path")),
            Headers = BindNamedMatches(match, "headers", ["exact", "prefix", "regex", "present"], isHeader: true)
                .Select(m => new HeaderMatchConfig { Name = m.Name, Kind = m.Kind, Value = m.Value })
                .ToImmutableArray(),
            Query = BindNamedMatches(match, "query", ["exact", "regex", "present"], isHeader: false)
                .Select(m => new QueryMatchConfig { Name = m.Name, Kind = m.Kind, Value = m.Value })
                .ToImmutableArray(),
            Methods = NameList(match, "method",
                (TomlNode node, string path, out string? value) => Values.Method(context, node, path, out value),
                "an array of methods such as [\"GET\", \"HEAD\"]"),
            Sources = match.List<CidrRange>("source",
                (TomlNode node, string path, out CidrRange? value) => Values.Cidr(context, node, path, out value),
                "an array of CIDR ranges such as [\"10.0.0.0/8\"]") ?? [],
        };
    }

    private static PathMatchConfig? BindPathMatch(TableReader? path)
    {
        if (path is null)
        {
            return null;
        }
        string? kind = ExactlyOne(path, ["exact", "prefix", "regex"]);
        string? exact = path.UrlPath("exact");
        string? prefix = path.UrlPath("prefix");
        string? regex = path.Node("regex") is { } node && Values.Regex(path.Context, node, path.PathOf("regex"), out string? pattern) ? pattern : null;
        path.Finish();
        return kind switch
        {
            "exact" when exact is not null => new PathMatchConfig { Kind = StringMatchKind.Exact, Value = exact },
            "prefix" when prefix is not null => new PathMatchConfig { Kind = StringMatchKind.Prefix, Value = prefix },
            "regex" when regex is not null => new PathMatchConfig { Kind = StringMatchKind.Regex, Value = regex },
            _ => null,
        };
    }

    // headers.NAME = { exact | prefix | regex | present } and query.NAME = { exact | regex | present }.
    private static List<(string Name, StringMatchKind Kind, string Value)> BindNamedMatches(TableReader match, string key, string[] kinds, bool isHeader)
    {
        var result = new List<(string, StringMatchKind, string)>();
        TableReader? named = match.SubTable(key);
        if (named is null)
        {
            return result;
        }
        foreach (TomlEntry entry in named.Table.Entries)
        {
            TomlEntry? known = named.Entry(entry.Name);
            string path = named.PathOf(entry.Name);
            if (isHeader)
            {
                Values.HeaderNameKey(match.Context, entry, path);
            }
            else if (entry.Name.Length == 0)
            {
                match.Context.Error(entry.KeyPosition, path, "must be a query parameter name (got \"\")");
            }
            if (known?.Value is not TomlTableNode conditionTable)
            {
                Values.Fail(match.Context, entry.Value, path, $"a table with one of {Describe.Alternatives(kinds)}, such as {{ exact = \"v\" }}");
                continue;
            }
            var condition = new TableReader(match.Context, conditionTable, path);
            string? kind = ExactlyOne(condition, kinds);
            (StringMatchKind Kind, string Value)? bound = null;
            foreach (string candidate in kinds)
            {
                TomlNode? value = condition.Node(candidate);
                if (value is null || candidate != kind)
                {
                    continue;
                }
                string valuePath = condition.PathOf(candidate);
                bound = candidate switch
                {
                    "exact" when Values.String(match.Context, value, valuePath, out string? text) => (StringMatchKind.Exact, text),
                    "prefix" when Values.String(match.Context, value, valuePath, out string? text) => (StringMatchKind.Prefix, text),
                    "regex" when Values.Regex(match.Context, value, valuePath, out string? text) => (StringMatchKind.Regex, text),
                    "present" when Values.Boolean(match.Context, value, valuePath, out bool present) =>
                        (present ? StringMatchKind.Present : StringMatchKind.Absent, ""),
                    _ => null,
                };
            }
            condition.Finish();
            if (bound is { } ok)
            {
                result.Add((entry.Name, ok.Kind, ok.Value));
            }
        }
        return result;
    }

    private static ImmutableArray<DestinationConfig> BindDestinations(TableReader rule)
    {
        ImmutableArray<DestinationConfig> destinations = rule.Tables("to", BindDestination, "an array of destinations such as [{ cluster = \"web\" }]");
        TomlNode? node = rule.Node("to");
        if (node is TomlArrayNode { Items.Count: 0 })
        {
            rule.Context.Error(node.Position, rule.PathOf("to"), "must list at least one destination");
        }
        else if (destinations.Length > 0 && destinations.All(d => d.Weight == 0) && node is TomlArrayNode array && array.Items.Count == destinations.Length)
        {
            rule.Context.Error(node.Position, rule.PathOf("to"), "weights must not all be 0 (nothing would be sent)");
        }
        return destinations;
    }

    private static DestinationConfig BindDestination(TableReader to) => new()
    {
        Cluster = to.Name("cluster", required: true) ?? "",
        Subset = to.Name("subset"),
        Weight = to.Integer("weight", 0, int.MaxValue) ?? 1,
    };

    private static RedirectConfig? BindRedirect(TableReader? redirect)
    {
        if (redirect is null)
        {
            return null;
        }
        string[] parts = ["scheme", "host", "port", "path", "prefix"];
        if (!parts.Any(redirect.Table.TryGetKey))
        {
            redirect.Context.Error(redirect.Position, redirect.Path, $"needs at least one of {Describe.Alternatives(parts)}");
        }
        if (redirect.Table.TryGetKey("path") && redirect.Table.TryGetKey("prefix"))
        {
            redirect.ErrorAtKey("prefix", "cannot be combined with path (path replaces the whole path, prefix only the matched prefix)");
        }
        var config = new RedirectConfig
        {
            Scheme = BindRedirectScheme(redirect),
            Host = BindRedirectHost(redirect),
            Port = redirect.Integer("port", 1, 65535),
            Path = redirect.UrlPath("path"),
            Prefix = redirect.UrlPath("prefix"),
            Status = BindRedirectStatus(redirect) ?? RedirectConfig.DefaultStatus,
        };
        redirect.Finish();
        return config;
    }

    private static string? BindRedirectScheme(TableReader redirect)
    {
        TomlNode? node = redirect.Node("scheme");
        if (node is null)
        {
            return null;
        }
        if (node is TomlScalarNode { Kind: TomlScalarKind.String, Value: "http" or "https" } scheme)
        {
            return (string)scheme.Value;
        }
        Values.Fail(redirect.Context, node, redirect.PathOf("scheme"), "one of http, https");
        return null;
    }

    private static string? BindRedirectHost(TableReader redirect)
    {
        TomlNode? node = redirect.Node("host");
        if (node is null)
        {
            return null;
        }
        if (node is TomlScalarNode { Kind: TomlScalarKind.String, Value: string host } && ConfigAddress.IsHostName(host))
        {
            return host;
        }
        Values.Fail(redirect.Context, node, redirect.PathOf("host"), "a host name (set the port with port)");
        return null;
    }

    private static int? BindRedirectStatus(TableReader redirect)
    {
        TomlNode? node = redirect.Node("status");
        if (node is null)
        {
            return null;
        }
        if (node is TomlScalarNode { Kind: TomlScalarKind.Integer, Value: long status } && RedirectStatuses.Contains((int)status))
        {
            return (int)status;
        }
        Values.Fail(redirect.Context, node, redirect.PathOf("status"),
            "a redirect status: " + Describe.Alternatives([.. RedirectStatuses.Select(s => s.ToString(CultureInfo.InvariantCulture))]));
        return null;
    }

    private static RespondConfig? BindRespond(TableReader? respond)
    {
        if (respond is null)
        {
            return null;
        }
        var config = new RespondConfig
        {
            Status = respond.Status("status", 200, 599, required: true) ?? 200,
            Body = respond.String("body"),
            Headers = BindHeaderValues(respond, "headers"),
        };
        respond.Finish();
        return config;
    }

    private static RetriesConfig? BindRetries(TableReader? retries)
    {
        if (retries is null)
        {
            return null;
        }
        var defaults = new RetriesConfig();
        RetryOn on = RetryOn.None;
        var statuses = ImmutableArray.CreateBuilder<int>();
        string expected = $"one of {string.Join(", ", RetryConditions.Select(c => c.Name))}, or a status code from 400 to 599 as a string such as \"503\"";
        ImmutableArray<string>? conditions = retries.List<string>("on", (TomlNode node, string path, out string? value) =>
        {
            value = null;
            if (node is not TomlScalarNode { Kind: TomlScalarKind.String, Value: string text })
            {
                Values.Fail(retries.Context, node, path, expected);
                return false;
            }
            foreach ((string name, RetryOn flag) in RetryConditions)
            {
                if (name == text)
                {
                    if ((on & flag) != 0)
                    {
                        retries.Context.Error(node.Position, path, $"condition {Describe.Quote(text)} is listed twice");
                        return false;
                    }
                    on |= flag;
                    value = text;
                    return true;
                }
            }
            if (text.Length == 3 && text.All(char.IsAsciiDigit) && int.Parse(text, CultureInfo.InvariantCulture) is >= 400 and <= 599 and int status)
            {
                if (statuses.Contains(status))
                {
                    retries.Context.Error(node.Position, path, $"condition {Describe.Quote(text)} is listed twice");
                    return false;
                }
                statuses.Add(status);
                value = text;
                return true;
            }
            Values.Fail(retries.Context, node, path, expected);
            return false;
        }, "an array of retry conditions such as [\"connect-failure\", \"503\"]");
        if (retries.Node("on") is TomlArrayNode { Items.Count: 0 } empty)
        {
            retries.Context.Error(empty.Position, retries.PathOf("on"), "must list at least one condition (leave on out for the default)");
        }
        var config = new RetriesConfig
        {
            Attempts = retries.Integer("attempts", 0, 10) ?? RetriesConfig.DefaultAttempts,
            PerTryTimeout = retries.Duration("per_try_timeout", positive: true, OneDay),
            On = conditions is null ? defaults.On : on,
            StatusCodes = conditions is null ? defaults.StatusCodes : statuses.ToImmutable(),
            NonIdempotent = retries.Boolean("non_idempotent") ?? false,
        };
        retries.Finish();
        return config;
    }

    private static FaultConfig? BindFault(TableReader? fault)
    {
        if (fault is null)
        {
            return null;
        }
        if (!fault.Table.TryGetKey("delay") && !fault.Table.TryGetKey("abort"))
        {
            fault.Context.Error(fault.Position, fault.Path, "needs delay, abort or both");
        }
        var config = new FaultConfig
        {
            Delay = BindFaultDelay(fault.SubTable("delay")),
            Abort = BindFaultAbort(fault.SubTable("abort")),
        };
        fault.Finish();
        return config;
    }

    private static FaultDelayConfig? BindFaultDelay(TableReader? delay)
    {
        if (delay is null)
        {
            return null;
        }
        double? percent = delay.Percent("percent", required: true);
        TimeSpan? duration = delay.Duration("fixed", positive: false, OneHour, required: true);
        delay.Finish();
        return percent is { } p && duration is { } d ? new FaultDelayConfig { Percent = p, Fixed = d } : null;
    }

    private static FaultAbortConfig? BindFaultAbort(TableReader? abort)
    {
        if (abort is null)
        {
            return null;
        }
        double? percent = abort.Percent("percent", required: true);
        int? status = abort.Status("status", 200, 599, required: true);
        int? grpcStatus = abort.Integer("grpc_status", 0, 16);
        abort.Finish();
        return percent is { } p && status is { } s ? new FaultAbortConfig { Percent = p, Status = s, GrpcStatus = grpcStatus } : null;
    }

    private static MirrorConfig? BindMirror(TableReader? mirror)
    {
        if (mirror is null)
        {
            return null;
        }
        var config = new MirrorConfig
        {
            Cluster = mirror.Name("cluster", required: true) ?? "",
            Subset = mirror.Name("subset"),
            Percent = mirror.Percent("percent") ?? 100,
        };
        mirror.Finish();
        return config;
    }

    private static HeadersConfig BindHeaders(TableReader? headers)
    {
        if (headers is null)
        {
            return HeadersConfig.None;
        }
        var config = new HeadersConfig
        {
            Request = BindHeaderMutation(headers.SubTable("request")),
            Response = BindHeaderMutation(headers.SubTable("response")),
        };
        headers.Finish();
        return config;
    }

    private static HeaderMutationConfig BindHeaderMutation(TableReader? mutation)
    {
        if (mutation is null)
        {
            return HeaderMutationConfig.None;
        }
        var context = mutation.Context;
        var config = new HeaderMutationConfig
        {
            Set = BindHeaderValues(mutation, "set"),
            Add = BindHeaderValues(mutation, "add"),
            Remove = NameList(mutation, "remove",
                (TomlNode node, string path, out string? value) => Values.HeaderName(context, node, path, out value),
                "an array of header names"),
        };
        mutation.Finish();
        return config;
    }

    // { x-name = "value", ... }: names are the keys, so a bad name is reported at the key.
    private static ImmutableArray<KeyValuePair<string, string>> BindHeaderValues(TableReader table, string key)
    {
        var context = table.Context;
        ImmutableArray<(TomlEntry Entry, string Value)>? values = table.Map(key, (entry, path) =>
        {
            bool nameOk = Values.HeaderNameKey(context, entry, path);
            bool valueOk = Values.HeaderValue(context, entry.Value, path, out string? value);
            return (nameOk && valueOk, value ?? "");
        });
        return values is null ? [] : [.. values.Value.Select(v => KeyValuePair.Create(v.Entry.Name, v.Value))];
    }

    private static RewriteConfig? BindRewrite(TableReader? rewrite)
    {
        if (rewrite is null)
        {
            return null;
        }
        if (!rewrite.Table.TryGetKey("prefix") && !rewrite.Table.TryGetKey("host"))
        {
            rewrite.Context.Error(rewrite.Position, rewrite.Path, "needs prefix, host or both");
        }
        var config = new RewriteConfig
        {
            Prefix = rewrite.UrlPath("prefix"),
            Host = rewrite.Authority("host"),
        };
        rewrite.Finish();
        return config;
    }
}
