using System.Globalization;
using System.Text;
using System.Text.Json;
using Meshy.Conf.Json;
using Meshy.Conf.Loading;
using Meshy.Conf.Schema;
using static Meshy.Conf.Tests.TomlFixture;

namespace Meshy.Conf.Tests.Json;

public sealed class ConfigJsonTests
{
    private const string Sample = """
        [admin]
        address = "[::1]:9901"

        [runtime]
        drain_timeout = "1.5s"

        [access_log]
        fields = ["time", "status"]

        [[listeners]]
        name = "web"
        address = "127.0.0.1:0"
        routes = ["web"]
        http2 = { max_concurrent_streams = 7 }

        [[listeners]]
        name = "pg"
        address = "127.0.0.1:0"
        protocol = "tcp"
        cluster = "db"

        [[routes]]
        name = "web"
        hosts = ["*.example.com", "example.com"]
          [[routes.rules]]
          name = "steer"
          match = [{ headers.user-agent.regex = '^(.*?;)?(iPhone)(;.*)?$' }, { query.beta.present = true, method = ["GET"], source = ["10.0.0.0/8"] }]
          timeout = "15s"
          retries = { attempts = 2, per_try_timeout = "250ms", on = ["connect-failure", "5xx", "409"] }
          fault.delay = { percent = 0.5, fixed = "2s" }
          fault.abort = { percent = 1, status = 503, grpc_status = 14 }
          mirror = { cluster = "app", subset = "v2", percent = 12.5 }
          headers.request = { set = { x-mesh = "meshy" }, remove = ["x-internal"] }
          headers.response.add = { x-note = "a \"quoted\" value <&>" }
          rewrite = { prefix = "/v2/" }
          to = [{ cluster = "app", subset = "v1", weight = 99 }, { cluster = "app", subset = "v2", weight = 1 }]
          [[routes.rules]]
          match.path.prefix = "/old/"
          redirect = { scheme = "https", host = "new.example.com", port = 8443, prefix = "/new/", status = 308 }
          [[routes.rules]]
          respond = { status = 404, body = "nope\n", headers = { content-type = "text/plain; charset=utf-8" } }

        [[clusters]]
        name = "app"
        lb = "ring_hash"
        hash_on = "header:x-user"
        protocol = "http2"
        connect_timeout = "250ms"
        endpoints = [
          { address = "10.0.0.5:8080", labels = { version = "v1", zone = "b" } },
          { address = "app-2.internal:8080", labels = { version = "v2" }, weight = 3 },
        ]
        subsets = [{ name = "v1", labels = { version = "v1" } }, { name = "v2", labels = { version = "v2" } }]
        limits = { max_requests = 10 }
        outlier_detection = { consecutive_5xx = 7, interval = "1m", base_ejection_time = "5m", max_ejection_percent = 50 }
        health_check = { path = "/healthz", interval = "5s", timeout = "1s" }

        [[clusters]]
        name = "db"
        endpoints = [{ address = "[fd00::9]:5432" }]
        """;

    [Fact]
    public void Serialize_Config_UsesTomlKeysAndDurationStrings()
    {
        using JsonDocument json = JsonDocument.Parse(ConfigJson.Serialize(Load(Sample)));
        JsonElement root = json.RootElement;

        Assert.Equal("[::1]:9901", root.GetProperty("admin").GetProperty("address").GetString());
        Assert.Equal("1500ms", root.GetProperty("runtime").GetProperty("drain_timeout").GetString());
        Assert.True(root.GetProperty("access_log").GetProperty("enabled").GetBoolean());
        Assert.Equal(7, root.GetProperty("listeners")[0].GetProperty("http2").GetProperty("max_concurrent_streams").GetInt32());
        Assert.Equal("tcp", root.GetProperty("listeners")[1].GetProperty("protocol").GetString());
        Assert.Equal("db", root.GetProperty("listeners")[1].GetProperty("cluster").GetString());
        JsonElement rule = root.GetProperty("routes")[0].GetProperty("rules")[0];
        Assert.Equal("^(.*?;)?(iPhone)(;.*)?$", rule.GetProperty("match")[0].GetProperty("headers").GetProperty("user-agent").GetProperty("regex").GetString());
        Assert.Equal("250ms", rule.GetProperty("retries").GetProperty("per_try_timeout").GetString());
        Assert.Equal(["connect-failure", "5xx", "409"], rule.GetProperty("retries").GetProperty("on").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1, rule.GetProperty("to")[1].GetProperty("weight").GetInt32());
        Assert.Equal(12.5, rule.GetProperty("mirror").GetProperty("percent").GetDouble());
        Assert.Equal("a \"quoted\" value <&>", rule.GetProperty("headers").GetProperty("response").GetProperty("add").GetProperty("x-note").GetString());
        JsonElement cluster = root.GetProperty("clusters")[0];
        Assert.Equal("ring_hash", cluster.GetProperty("lb").GetString());
        Assert.Equal("header:x-user", cluster.GetProperty("hash_on").GetString());
        Assert.Equal("250ms", cluster.GetProperty("connect_timeout").GetString());
        Assert.Equal("5m", cluster.GetProperty("read_timeout").GetString());
        Assert.Equal(1024, cluster.GetProperty("limits").GetProperty("max_connections").GetInt32());
        Assert.Equal("5m", cluster.GetProperty("outlier_detection").GetProperty("base_ejection_time").GetString());
        Assert.Equal(2, cluster.GetProperty("health_check").GetProperty("healthy_threshold").GetInt32());
    }

    [Fact]
    public void Serialize_DefaultConfig_WritesEveryDefault()
    {
        using JsonDocument json = JsonDocument.Parse(ConfigJson.Serialize(MeshyConfig.Default));
        JsonElement root = json.RootElement;

        Assert.Equal("127.0.0.1:15000", root.GetProperty("admin").GetProperty("address").GetString());
        Assert.Equal("20s", root.GetProperty("runtime").GetProperty("drain_timeout").GetString());
        Assert.False(root.GetProperty("access_log").GetProperty("enabled").GetBoolean());
        Assert.Equal(AccessLogConfig.DefaultFields.Length, root.GetProperty("access_log").GetProperty("fields").GetArrayLength());
        Assert.Equal(0, root.GetProperty("listeners").GetArrayLength());
    }

    [Theory]
    [InlineData("sample")]
    [InlineData("conf/meshy.toml")]
    [InlineData("conf/examples/canary.toml")]
    [InlineData("conf/examples/resilience.toml")]
    [InlineData("conf/examples/sidecar.toml")]
    [InlineData("conf/examples/virtual-hosts.toml")]
    public void Serialize_ReloadedFromItsOwnOutput_GivesTheSameJson(string source)
    {
        string toml = source == "sample" ? Sample : File.ReadAllText(Path.Combine(RepositoryFiles.Root, source));
        string json = ConfigJson.Serialize(Load(toml));

        string again = ConfigJson.Serialize(Load(JsonToToml(json)));

        Assert.Equal(json, again);
    }

    /// <summary>
    /// The JSON uses TOML's key names and value syntax, so it converts back mechanically: top-level objects
    /// become tables, everything below inline values. Empty arrays and objects are left out (they are the
    /// defaults, and e.g. <c>routes = []</c> on a tcp listener would be an error).
    /// </summary>
    private static string JsonToToml(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        var toml = new StringBuilder();
        // Root keys first: after a [table] header every key belongs to that table.
        foreach (JsonProperty root in document.RootElement.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.Object && !IsEmpty(p.Value)))
        {
            toml.Append(Key(root.Name)).Append(" = ").Append(Value(root.Value)).Append('\n');
        }
        foreach (JsonProperty table in document.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Object))
        {
            toml.Append('[').Append(Key(table.Name)).Append("]\n");
            foreach (JsonProperty property in table.Value.EnumerateObject().Where(p => !IsEmpty(p.Value)))
            {
                toml.Append(Key(property.Name)).Append(" = ").Append(Value(property.Value)).Append('\n');
            }
        }
        return toml.ToString();
    }

    private static bool IsEmpty(JsonElement value) =>
        (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 0)
        || (value.ValueKind == JsonValueKind.Object && !value.EnumerateObject().Any());

    private static string Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "{ " + string.Join(", ", value.EnumerateObject().Where(p => !IsEmpty(p.Value)).Select(p => $"{Key(p.Name)} = {Value(p.Value)}")) + " }",
        JsonValueKind.Array => "[" + string.Join(", ", value.EnumerateArray().Select(Value)) + "]",
        JsonValueKind.String => Quote(value.GetString()!),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => throw new InvalidOperationException($"no TOML for {value.ValueKind}"),
    };

    private static string Key(string name) => Quote(name);

    private static string Quote(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (char c in text)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }
        return quoted.Append('"').ToString();
    }
}
