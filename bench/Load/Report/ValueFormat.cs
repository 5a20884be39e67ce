using System.Globalization;

namespace Meshy.Bench.Load.Report;

/// <summary>Number formatting shared by the text and HTML reports: three significant figures, invariant culture.</summary>
internal static class ValueFormat
{
    public static string Number(double value)
    {
        double magnitude = Math.Abs(value);
        string format = magnitude switch
        {
            >= 100 => "F0",
            >= 10 => "F1",
            >= 1 => "F2",
            0 => "F0",
            _ => "G3",
        };
        return value.ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary><c>2810 ±3%</c>; the spread is left out below half a percent.</summary>
    public static string WithSpread(double value, double? spread) =>
        spread is { } s && s >= 0.005
            ? $"{Number(value)} ±{(s * 100).ToString("F0", CultureInfo.InvariantCulture)}%"
            : Number(value);

    /// <summary><c>0.83× worse</c>: the verdict reads the ratio for the subject, within 2% it is a tie.</summary>
    public static string Ratio(double ratio, MetricBetter better)
    {
        string verdict = Math.Abs(ratio - 1) < 0.02 ? "same"
            : (ratio > 1) == (better == MetricBetter.Higher) ? "better"
            : "worse";
        return $"{ratio.ToString("F2", CultureInfo.InvariantCulture)}× {verdict}";
    }

    public static string ColumnTitle(MetricDefinition metric) =>
        string.IsNullOrEmpty(metric.Unit) ? metric.Label : $"{metric.Label} ({metric.Unit})";
}
