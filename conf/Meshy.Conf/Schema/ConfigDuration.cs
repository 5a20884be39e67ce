using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Meshy.Conf.Schema;

/// <summary>
/// Durations in the config are strings: a decimal number and one unit, <c>ms</c>, <c>s</c>, <c>m</c>
/// or <c>h</c> (<c>"250ms"</c>, <c>"5s"</c>, <c>"1.5s"</c>, <c>"1m"</c>, <c>"1h"</c>). Nothing else is
/// accepted: no sign, no spaces, no compound forms like <c>"1m30s"</c>.
/// </summary>
public static class ConfigDuration
{
    /// <summary>The accepted forms, for error messages.</summary>
    public const string Examples = "\"250ms\", \"5s\", \"1.5s\", \"1m\" or \"1h\"";

    /// <summary>Parses a duration string; false for anything outside the grammar above.</summary>
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        int unitStart = 0;
        while (unitStart < text.Length && (char.IsAsciiDigit(text[unitStart]) || text[unitStart] == '.'))
        {
            unitStart++;
        }
        ReadOnlySpan<char> number = text.AsSpan(0, unitStart);
        ReadOnlySpan<char> unit = text.AsSpan(unitStart);
        if (!IsDecimal(number))
        {
            return false;
        }
        decimal ticksPerUnit = unit switch
        {
            "ms" => TimeSpan.TicksPerMillisecond,
            "s" => TimeSpan.TicksPerSecond,
            "m" => TimeSpan.TicksPerMinute,
            "h" => TimeSpan.TicksPerHour,
            _ => 0,
        };
        if (ticksPerUnit == 0
            || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value))
        {
            return false;
        }
        decimal ticks = value * ticksPerUnit;
        // NOTE: cap well below TimeSpan.MaxValue so arithmetic on durations (deadlines) cannot overflow.
        if (ticks > TimeSpan.FromDays(365 * 100).Ticks)
        {
            return false;
        }
        duration = TimeSpan.FromTicks((long)decimal.Round(ticks));
        return true;
    }

    /// <summary>
    /// Formats a duration in the config's syntax with the largest unit that keeps it exact:
    /// <c>1h</c>, <c>90s</c> rather than <c>1.5m</c>, <c>250ms</c>, <c>0.5ms</c>.
    /// </summary>
    public static string Format(TimeSpan duration)
    {
        long ticks = duration.Ticks;
        if (ticks == 0)
        {
            return "0s";
        }
        if (ticks % TimeSpan.TicksPerHour == 0)
        {
            return Invariant(ticks / TimeSpan.TicksPerHour, "h");
        }
        if (ticks % TimeSpan.TicksPerMinute == 0)
        {
            return Invariant(ticks / TimeSpan.TicksPerMinute, "m");
        }
        if (ticks % TimeSpan.TicksPerSecond == 0)
        {
            return Invariant(ticks / TimeSpan.TicksPerSecond, "s");
        }
        if (ticks % TimeSpan.TicksPerMillisecond == 0)
        {
            return Invariant(ticks / TimeSpan.TicksPerMillisecond, "ms");
        }
        decimal milliseconds = (decimal)ticks / TimeSpan.TicksPerMillisecond;
        return milliseconds.ToString("0.#######", CultureInfo.InvariantCulture) + "ms";
    }

    /// <summary>Parses <paramref name="text"/> or throws; for literals in code and tests.</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out TimeSpan duration) ? duration : throw new FormatException($"not a duration: \"{text}\" (expected {Examples})");

    private static string Invariant(long value, string unit) => value.ToString(CultureInfo.InvariantCulture) + unit;

    // digits, optionally '.' and more digits: "5", "1.5" (not ".5", "5.", "1.2.3").
    private static bool IsDecimal(ReadOnlySpan<char> number)
    {
        int dot = number.IndexOf('.');
        if (dot < 0)
        {
            return !number.IsEmpty;
        }
        return dot > 0 && dot < number.Length - 1 && number[(dot + 1)..].IndexOf('.') < 0;
    }
}
