using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace Meshy.Filters.Router;

/// <summary>
/// The router's regexes (CONTRACT: full-match, compiled once, linear-time engine): a pattern is wrapped
/// in <c>\A(?:…)\z</c> and compiled with <see cref="RegexOptions.NonBacktracking"/> once per snapshot,
/// so a hostile header cannot make a worker backtrack. Matching runs on a byte span widened to chars in
/// a stack or pooled buffer: no allocation per request.
/// </summary>
internal static class RouteRegex
{
    /// <summary>The options conf's validation compiles with, so whatever validates here compiles.</summary>
    public const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    private const int StackChars = 256;

    /// <summary>Compiles <paramref name="pattern"/> to match whole values only.</summary>
    public static Regex Compile(string pattern) => new(@"\A(?:" + pattern + @")\z", Options);

    /// <summary>True when all of <paramref name="value"/> (bytes read as Latin-1, as header values are) matches.</summary>
    public static bool IsFullMatchLatin1(Regex regex, ReadOnlySpan<byte> value)
    {
        char[]? rented = null;
        Span<char> chars = value.Length <= StackChars ? stackalloc char[StackChars] : (rented = ArrayPool<char>.Shared.Rent(value.Length));
        try
        {
            int length = Encoding.Latin1.GetChars(value, chars);
            return regex.IsMatch(chars[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>True when all of <paramref name="value"/> (bytes read as UTF-8, as decoded paths and query values are) matches.</summary>
    public static bool IsFullMatchUtf8(Regex regex, ReadOnlySpan<byte> value)
    {
        char[]? rented = null;
        // UTF-8 never yields more chars than bytes.
        Span<char> chars = value.Length <= StackChars ? stackalloc char[StackChars] : (rented = ArrayPool<char>.Shared.Rent(value.Length));
        try
        {
            int length = Encoding.UTF8.GetChars(value, chars);
            return regex.IsMatch(chars[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }
}
