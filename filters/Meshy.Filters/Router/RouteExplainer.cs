using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using Meshy.Conf.Schema;
using Meshy.Engine.Http;
using Meshy.Engine.Upstream.LoadBalancing;

namespace Meshy.Filters.Router;

/// <summary>
/// <c>meshy route</c>'s engine: runs one request through the compiled tables with the proxy's own
/// matching code (<see cref="VirtualHostTable.Find"/>, <see cref="RouteRule.FindMatch"/>, each
/// condition's <c>Matches</c>) and writes what happened and what would apply. Sends nothing.
/// </summary>
/// <param name="hosts">The route tables, by host.</param>
/// <param name="originalDestination">
/// The tables are an <c>original_destination</c> listener's: a request no rule takes passes through to its
/// original destination instead of failing with 404 <c>NR</c>.
/// </param>
internal sealed class RouteExplainer(VirtualHostTable hosts, bool originalDestination = false)
{
    /// <summary>What is printed for a request an <c>original_destination</c> listener passes through.</summary>
    public const string PassthroughAction = "no route: would pass through to the original destination (cluster " + Meshy.Engine.Upstream.PassthroughCluster.Name + ")";

    /// <summary>
    /// Writes the explanation to <paramref name="output"/>; true when the request would be served (a rule
    /// matched, or it passes through to the original destination), otherwise false with the one-line
    /// <paramref name="reason"/>.
    /// </summary>
    public bool Explain(HttpRequestHead request, IPAddress? source, TextWriter output, out string reason)
    {
        string host = System.Text.Encoding.Latin1.GetString(request.Authority);
        output.WriteLine($"request:  {request.GetMethodString()} http://{host}{System.Text.Encoding.UTF8.GetString(request.Path)}"
            + (request.HasQuery ? "?" + System.Text.Encoding.UTF8.GetString(request.Query) : "")
            + (source is null ? "" : $" from {source}"));

        // 1. the route table, by Host
        RouteTable? table = hosts.Find(request.Authority);
        if (table is null)
        {
            reason = $"no route (NR): no route table serves host \"{host}\" (tables: {string.Join(", ", hosts.Tables.Select(t => $"{t.Name} [{string.Join(", ", t.Hosts)}]"))})";
            output.WriteLine($"table:    none: {reason}");
            return PassesThrough(output, ref reason);
        }
        output.WriteLine($"table:    {table.Name} (hosts: {string.Join(", ", table.Hosts)})");

        // 2. the rules in order: why each earlier one did not match, then the winner
        foreach (RouteRule rule in table.Rules)
        {
            RouteMatch? held = rule.FindMatch(request, source);
            if (held is null)
            {
                output.WriteLine($"  skip    {rule.RuleName}: {WhyNot(rule, request, source)}");
                continue;
            }
            output.WriteLine($"rule:     {rule.RuleName}");
            output.WriteLine($"  because {Why(held, request, source)}");
            WriteAction(rule, held, request, output);
            WritePolicies(rule, output);
            reason = "";
            return true;
        }
        reason = $"no route (NR): no rule of table {table.Name} matched";
        output.WriteLine($"rule:     none: {reason}");
        return PassesThrough(output, ref reason);
    }

    /// <summary>After no rule took the request: on an <c>original_destination</c> listener it passes through (served).</summary>
    private bool PassesThrough(TextWriter output, ref string reason)
    {
        if (!originalDestination)
        {
            return false;
        }
        output.WriteLine($"action:   {PassthroughAction}");
        reason = "";
        return true;
    }

    private static string Why(RouteMatch match, HttpRequestHead request, IPAddress? source)
    {
        ImmutableArray<string> held = [.. match.Explain(request, source).Select(c => c.Condition)];
        return held.IsEmpty ? "the rule has no match conditions (every request)" : string.Join(" and ", held);
    }

    private static string WhyNot(RouteRule rule, HttpRequestHead request, IPAddress? source)
    {
        IEnumerable<string> perTable = rule.Matches.Select(match =>
            string.Join(" and ", match.Explain(request, source).Where(c => !c.Held).Select(c => "not " + c.Condition)));
        return string.Join("; nor ", perTable);
    }

    private static void WriteAction(RouteRule rule, RouteMatch match, HttpRequestHead request, TextWriter output)
    {
        if (rule.Respond is { } respond)
        {
            output.WriteLine($"action:   respond {respond.Status}" + (respond.Body.IsEmpty ? "" : $" with a {respond.Body.Length}-byte body"));
            return;
        }
        if (rule.Redirect is { } redirect)
        {
            output.WriteLine($"action:   redirect {redirect.Status} to {redirect.Location(request, match)}");
            return;
        }
        IReadOnlyList<RouteDestination> destinations = rule.Destinations!.Destinations;
        long total = destinations.Sum(d => (long)d.Weight);
        output.WriteLine("action:   proxy to");
        foreach (RouteDestination destination in destinations)
        {
            string name = destination.Subset is null ? destination.Cluster.Name : $"{destination.Cluster.Name}/{destination.Subset.Name}";
            double percent = total == 0 ? 0 : destination.Weight * 100.0 / total;
            string lb = destination.LoadBalancer switch
            {
                LeastRequestBalancer => "least_request",
                RandomBalancer => "random",
                RingHashBalancer => "ring_hash on " + (destination.Hash?.Config.Text ?? "?"),
                _ => "round_robin",
            };
            TimeSpan readTimeout = destination.Cluster.ReadTimeout;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name,-24} weight {destination.Weight,-6} {percent,6:0.##}%  {destination.Endpoints.Length} endpoint(s), lb {lb}, "
                + $"read_timeout {(readTimeout == TimeSpan.Zero ? "none" : ConfigDuration.Format(readTimeout))}"));
        }
    }

    private static void WritePolicies(RouteRule rule, TextWriter output)
    {
        RouteRuleConfig config = rule.Config;
        var lines = new List<string>();
        if (rule.Timeout is { } timeout)
        {
            lines.Add($"timeout:  {ConfigDuration.Format(timeout)} (whole request)");
        }
        if (config.Retries is { } retries)
        {
            IEnumerable<string> on = Enum.GetValues<RetryOn>()
                .Where(flag => flag != RetryOn.None && retries.On.HasFlag(flag))
                .Select(RetryOnText)
                .Concat(retries.StatusCodes.Select(code => code.ToString(CultureInfo.InvariantCulture)));
            lines.Add($"retries:  {retries.Attempts} attempt(s)"
                + (retries.PerTryTimeout is { } perTry ? $", per try {ConfigDuration.Format(perTry)}" : "")
                + $", on {string.Join(",", on)}"
                + (retries.NonIdempotent ? ", non-idempotent methods too" : ", idempotent methods only"));
        }
        if (config.Fault is { } fault)
        {
            if (fault.Delay is { } delay)
            {
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"fault:    delay {ConfigDuration.Format(delay.Fixed)} for {delay.Percent}% of requests"));
            }
            if (fault.Abort is { } abort)
            {
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"fault:    abort with {abort.Status} for {abort.Percent}% of requests")
                    + (abort.GrpcStatus is { } grpc ? string.Create(CultureInfo.InvariantCulture, $" (gRPC requests: grpc-status {grpc})") : ""));
            }
        }
        if (config.Mirror is { } mirror)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"mirror:   {mirror.Cluster}{(mirror.Subset is null ? "" : "/" + mirror.Subset)} for {mirror.Percent}% of requests (Host + -shadow)"));
        }
        if (rule.RequestHeaders is { } requestHeaders)
        {
            lines.Add($"headers:  request: {requestHeaders.Describe()}");
        }
        if (rule.ResponseHeaders is { } responseHeaders)
        {
            lines.Add($"headers:  response: {responseHeaders.Describe()}");
        }
        if (rule.Rewrite is { } rewrite)
        {
            lines.Add($"rewrite:  {rewrite.Describe()}");
        }
        if (rule.Redirect is { } redirect)
        {
            lines.Add($"redirect: {redirect.Describe()}");
        }
        if (lines.Count == 0)
        {
            output.WriteLine("policies: none");
            return;
        }
        output.WriteLine("policies:");
        foreach (string line in lines)
        {
            output.WriteLine("  " + line);
        }
    }

    private static string RetryOnText(RetryOn flag) => flag switch
    {
        RetryOn.ConnectFailure => "connect-failure",
        RetryOn.RefusedStream => "refused-stream",
        RetryOn.Reset => "reset",
        RetryOn.Status5xx => "5xx",
        RetryOn.GatewayError => "gateway-error",
        _ => "retriable-4xx",
    };

    /// <summary>The tables a request may be routed by: those of <paramref name="listener"/>, or every table in file order.</summary>
    public static VirtualHostTable HostsFor(MeshyConfig config, FrozenDictionary<string, RouteTable> tables, string? listener)
    {
        if (listener is null)
        {
            return new VirtualHostTable([.. config.Routes.Select(r => tables[r.Name])]);
        }
        ListenerConfig found = config.Listeners.FirstOrDefault(l => l.Name == listener)
            ?? throw new ArgumentException($"no listener named \"{listener}\" (listeners: {string.Join(", ", config.Listeners.Select(l => l.Name))})");
        return new VirtualHostTable([.. found.Routes.Select(name => tables[name])]);
    }
}
