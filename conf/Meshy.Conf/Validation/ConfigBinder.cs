using System.Collections.Immutable;
using Meshy.Conf.Loading;
using Meshy.Conf.Schema;

namespace Meshy.Conf.Validation;

/// <summary>
/// Binds the TOML tree to <see cref="MeshyConfig"/>, checking every key and value on the way. It never
/// stops at the first problem: an invalid value is reported and replaced by its default (or a
/// placeholder) so the rest of the file is still checked, and element <c>i</c> of every array stays
/// element <c>i</c> of the file for later checks. The result is only used when nothing was reported.
/// </summary>
internal static partial class ConfigBinder
{
    private static readonly TimeSpan OneHour = TimeSpan.FromHours(1);
    private static readonly TimeSpan OneDay = TimeSpan.FromDays(1);

    public static MeshyConfig Bind(TomlTableNode root, BindContext context)
    {
        var reader = new TableReader(context, root, "");
        var config = new MeshyConfig
        {
            Admin = BindAdmin(reader.SubTable("admin")),
            Runtime = BindRuntime(reader.SubTable("runtime")),
            AccessLog = BindAccessLog(reader.SubTable("access_log")),
            Listeners = reader.Tables("listeners", BindListener, "an array of tables ([[listeners]])"),
            Routes = reader.Tables("routes", BindRouteTable, "an array of tables ([[routes]])"),
            Clusters = reader.Tables("clusters", BindCluster, "an array of tables ([[clusters]])"),
        };
        reader.Finish();
        return config;
    }

    private static AdminConfig BindAdmin(TableReader? admin)
    {
        if (admin is null)
        {
            return AdminConfig.Default;
        }
        AdminConfig config = new() { Address = admin.Address("address", AddressUse.Bind) ?? AdminConfig.Default.Address };
        admin.Finish();
        return config;
    }

    private static RuntimeConfig BindRuntime(TableReader? runtime)
    {
        if (runtime is null)
        {
            return RuntimeConfig.Default;
        }
        RuntimeConfig config = new()
        {
            DrainTimeout = runtime.Duration("drain_timeout", positive: false, OneHour) ?? RuntimeConfig.Default.DrainTimeout,
            MaxConnections = runtime.Integer("max_connections", 1, 10_000_000) ?? RuntimeConfig.Default.MaxConnections,
        };
        runtime.Finish();
        return config;
    }

    private static AccessLogConfig BindAccessLog(TableReader? log)
    {
        if (log is null)
        {
            return AccessLogConfig.Disabled;
        }
        var defaults = new AccessLogConfig();
        AccessLogConfig config = new()
        {
            Enabled = log.Boolean("enabled") ?? defaults.Enabled,
            Path = log.NonEmptyString("path") ?? defaults.Path,
            Fields = BindAccessLogFields(log) ?? defaults.Fields,
        };
        log.Finish();
        return config;
    }

    private static ImmutableArray<string>? BindAccessLogFields(TableReader log)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        ImmutableArray<string>? fields = log.List<string>("fields", (TomlNode node, string path, out string? value) =>
        {
            if (!Values.String(log.Context, node, path, out value))
            {
                return false;
            }
            if (!AccessLogConfig.KnownFields.Contains(value))
            {
                string? suggestion = NameSuggester.Suggest(value, AccessLogConfig.KnownFields);
                log.Context.Error(node.Position, path, suggestion is not null
                    ? $"unknown access log field {Describe.Quote(value)} (did you mean {suggestion}?)"
                    : $"unknown access log field {Describe.Quote(value)} (known: {string.Join(", ", AccessLogConfig.KnownFields)})");
                return false;
            }
            if (!seen.Add(value))
            {
                log.Context.Error(node.Position, path, $"field {Describe.Quote(value)} is listed twice");
                return false;
            }
            return true;
        }, "an array of field names");
        if (fields is { IsEmpty: true } && log.Node("fields") is TomlArrayNode { Items.Count: 0 } empty)
        {
            log.Context.Error(empty.Position, log.PathOf("fields"), "must list at least one field (leave fields out for the default set)");
        }
        return fields;
    }

    /// <summary>Reads <c>key</c> as a list of names (for hosts, routes, methods); never null.</summary>
    private static ImmutableArray<string> NameList(TableReader table, string key, ItemReader<string> readItem, string expected, bool allowSingle = false) =>
        table.List(key, readItem, expected, allowSingle) ?? [];

    /// <summary>
    /// Reports when none or several of <paramref name="keys"/> are present (at the table, or at the
    /// second key present). Returns the single key present, or null.
    /// </summary>
    private static string? ExactlyOne(TableReader table, string[] keys, string? noneMessage = null)
    {
        var present = keys.Where(table.Table.TryGetKey).ToList();
        string choices = Describe.Alternatives(keys);
        if (present.Count == 0)
        {
            if (table.Table.Entries.Any(e => !keys.Contains(e.Name) && NameSuggester.Suggest(e.Name, keys) is not null))
            {
                return null;    // a misspelt choice: its unknown-key diagnostic already says what to write
            }
            table.Context.Error(table.Position, table.Path, noneMessage ?? $"needs exactly one of {choices} (found none)");
            return null;
        }
        if (present.Count > 1)
        {
            table.Context.Error(table.KeyPosition(present[1]), table.Path, $"needs exactly one of {choices} (found {Describe.Both(present)})");
            return null;
        }
        return present[0];
    }
}
