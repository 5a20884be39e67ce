using System.Text.Json.Serialization;

namespace Meshy.Bench.Load.Scenarios;

/// <summary>Reads the one-line JSON results of this assembly's load tools.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(BlastResult))]
[JsonSerializable(typeof(HoldResult))]
[JsonSerializable(typeof(RateResult))]
internal sealed partial class ToolJsonContext : JsonSerializerContext;
