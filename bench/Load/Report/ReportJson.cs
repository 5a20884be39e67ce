using System.Text.Encodings.Web;
using System.Text.Json;

namespace Meshy.Bench.Load.Report;

/// <summary>The JSON form of a report: everything recorded, so every other report can be rebuilt from it.</summary>
internal static class ReportJson
{
    // Relaxed escaping keeps '+' and quotes readable in versions and descriptions; the file is
    // never embedded in HTML, so the default encoder's HTML-safety buys nothing here.
    private static readonly ReportJsonContext Context = new(new JsonSerializerOptions(ReportJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static string Serialize(BenchReport report) => JsonSerializer.Serialize(report, Context.BenchReport);

    public static BenchReport Deserialize(string json) =>
        JsonSerializer.Deserialize(json, Context.BenchReport)
        ?? throw new JsonException("the report is JSON null");
}
