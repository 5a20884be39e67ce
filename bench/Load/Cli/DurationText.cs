using System.Globalization;

namespace Meshy.Bench.Load.Cli;

/// <summary>Durations as the config file writes them: <c>250ms</c>, <c>5s</c>, <c>1m</c> (and plain seconds).</summary>
internal static class DurationText
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        (string number, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1.0),
            _ when text.EndsWith('m') => (text[..^1], 60.0),
            _ => (text, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double amount) || amount < 0)
        {
            return false;
        }
        value = TimeSpan.FromSeconds(amount * scale);
        return true;
    }

    /// <summary>The short form used in reports and in the arguments given to load tools.</summary>
    public static string Format(TimeSpan value) =>
        value.TotalMilliseconds % 1000 == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{(long)value.TotalSeconds}s")
            : string.Create(CultureInfo.InvariantCulture, $"{(long)value.TotalMilliseconds}ms");
}
