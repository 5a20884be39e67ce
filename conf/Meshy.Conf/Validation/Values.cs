using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;
using Meshy.Conf.Loading;
using Meshy.Conf.Schema;

namespace Meshy.Conf.Validation;

/// <summary>
/// Checks one value against what its key expects. On a mismatch each reports one diagnostic at the
/// value, saying what was expected and what was found, and returns false.
/// </summary>
internal static class Values
{
    /// <summary>The options every route regex is compiled with: linear time, culture-independent.</summary>
    public const RegexOptions RegexCompileOptions = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    private const int MaxNameLength = 128;

    public static void Fail(BindContext context, TomlNode node, string path, string expected) =>
        context.Error(node.Position, path, $"must be {expected} (got {Describe.Value(node)})");

    public static bool String(BindContext context, TomlNode node, string path, [NotNullWhen(true)] out string? value)
    {
        if (node is TomlScalarNode { Kind: TomlScalarKind.String, Value: string text })
        {
            value = text;
            return true;
        }
        Fail(context, node, path, "a string");
        value = null;
        return false;
    }

    public static bool NonEmptyString(BindContext context, TomlNode node, string path, [NotNullWhen(true)] out string? value)
    {
        if (node is TomlScalarNode { Kind: TomlScalarKind.String, Value: string { Length: > 0 } text })
        {
            value = text;
            return true;
        }
        Fail(context, node, path, "a non-empty string");
        value = null;
        return false;
    }

    /// <summary>Names of listeners, routes, clusters, subsets and rules: they show in logs, metrics and Host headers.</summary>
    public static bool Name(BindContext context, TomlNode node, string path, [NotNullWhen(true)] out string? value)
    {
        if (node is TomlScalarNode { Kind: TomlScalarKind.String, Value: string text } && IsName(text))
        {
            value = text;
            return true;
        }
        Fail(context, node, path, "a name of letters, digits, '-', '_' and '.', starting with a letter or digit");
        value = null;
        return false;
    }

    public static bool IsName(string text)
    {
        if (text.Length is 0 or > MaxNameLength || !char.IsAsciiLetterOrDigit(text[0]))
        {
            return false;
        }
        foreach (char c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }
        return true;
    }

    public static bool Integer(BindContext context, TomlNode node, string path, long min, long max, out long value)
    {
        if (node is TomlScalarNode { Kind: TomlScalarKind.Integer, Value: long number } && number >= min && number <= max)
        {
            value = number;
            return true;
        }
        Fail(context, node, path, Describe.IntegerRange(min, max));
        value = 0;
        return false;
    }

    /// <summary>0–100, integers or decimals (<c>0.1</c> is one request in a thousand).</summary>
    public static bool Percent(BindContext context, TomlNode node, string path, out double value)
    {
        if (TryNumber(node, out value) && value >= 0 && value <= 100)
        {
            return true;
        }
        Fail(context, node, path, "a percentage from 0 to 100");
        return false;
    }

    public static bool Boolean(BindContext context, TomlNode node, string path, out bool value)
    {
        if (node is TomlScalarNode { Kind: TomlScalarKind.Boolean, Value: bool flag })
        {
            value = flag;
            return true;
        }
        Fail(context, node, path, "true or false");
        value = false;
        return false;
    }

    /// <summary>A duration string; <paramref name="positive"/> rejects 0, <paramref name="max"/> caps it.</summary>
    public static bool Duration(BindContext context, TomlNode node, string path, bool positive, TimeSpan max, out TimeSpan value)
    {
        if (node is not TomlScalarNode { Kind: TomlScalarKind.String, Value: string text } || !ConfigDuration.TryParse(text, out value))
        {
            Fail(context, node, path, $"a duration such as {ConfigDuration.Examples}");
            value = default;
            return false;
        }
        if (positive && value == TimeSpan.Zero)
        {
            Fail(context, node, path, "a duration above 0");
            return false;
        }
        if (value > max)
        {
            Fail(context, node, path, $"a duration of at most {ConfigDuration.Format(max)}");
            return false;
        }
        return true;
    }

    public static bool Enum<T>(BindContext context, TomlNode node, string path, IReadOnlyList<(string Name, T Value)> names, out T value)
        where T : struct
    {
        if (node is TomlScalarNode { Kind: TomlScalarKind.String, Value: string text })
        {
            foreach ((string name, T candidate) in names)
            {
                if (name == text)
                {
                    value = candidate;
                    return true;
                }
            }
        }
        Fail(context, node, path, "one of " + string.Join(", ", names.Select(n => n.Name)));
        value = default;
        return false;
    }

    public static bool Address(BindContext context, TomlNode node, string path, AddressUse use, [NotNullWhen(true)] out ConfigAddress? value)
    {
        value = null;
        if (node is not TomlScalarNode { Kind: TomlScalarKind.String, Value: string text })
        {
            Fail(context, node, path, "an address host:port (IPv6 as [::1]:8080)");
            return false;
        }
        if (!ConfigAddress.TryParse(text, out ConfigAddress? address, out string? error))
        {
            context.Error(node.Position, path, $"must be an address host:port, IPv6 as [::1]:8080 (got {Describe.Quote(text)}: {error})");
            return false;
        }
        if (use == AddressUse.Bind && !address.IsIPAddress && !string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            Fail(context, node, path, "an IP address (or localhost) and port to listen on, such as 0.0.0.0:8080");
            return false;
        }
        if (use == AddressUse.Connect && address.Port == 0)
        {
            Fail(context, node, path, "an address with a port from 1 to 65535");
            return false;
        }
        value = address;
        return true;
    }

    public static bool Cidr(BindContext context, TomlNode node, string path, [NotNullWhen(true)] out CidrRange? value)
    {
        value = null;
        if (node is TomlScalarNode { Kind: TomlScalarKind.String, Value: string text } && CidrRange.TryParse(text, out value))
        {
            return true;
        }
        Fail(context, node, path, "a CIDR range such as \"10.0.0.0/8\" or \"fd00::/8\" (no host bits set)");
        return false;
    }

    /// <summary>A regular expression the route engine can run: .NET syntax, linear-time (no backreferences or lookarounds).</summary>
    public static bool Regex(BindContext context, TomlNode node, string path, [NotNullWhen(true)] out string? value)
    {
        if (!String(context, node, path, out value))
        {
            return false;
        }
        try
        {
            _ = new Regex(value, RegexCompileOptions);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            context.Error(node.Position, path, $"invalid regex {Describe.Quote(value)}: {ex.Message}");
            value = null;
            return false;
        }
    }

    /// <summary>An HTTP field name (RFC 9110 §5.1: a token).</summary>
    public static bool HeaderName(BindContext context, TomlNode node, string path, [NotNullWhen(true)] out string? value)
    {
        if (node is TomlScalarNode { Kind: TomlScalarKind.String, Value: string text } && IsToken(text))
        {
            value = text;
            return true;
        }
        Fail(context, node, path, "a header name (letters, digits and !#$%&'*+-.^_`|~)");
        value = null;
        return false;
    }

    /// <summary>Checks a header name given as a table key (<c>set = { x-a = "1" }</c>), reporting at the key.</summary>
    public static bool HeaderNameKey(BindContext context, TomlEntry entry, string path)
    {
        if (IsToken(entry.Name))
        {
            return true;
        }
        context.Error(entry.KeyPosition, path, $"must be a header name (letters, digits and !#$%&'*+-.^_`|~) (got {Describe.Quote(entry.Name)})");
        return false;
    }

    /// <summary>A header value: any text without CR, LF or NUL (RFC 9110 §5.5), which would split or end the header.</summary>
    public static bool HeaderValue(BindContext context, TomlNode node, string path, [NotNullWhen(true)] out string? value)
    {
        if (node is TomlScalarNode { Kind: TomlScalarKind.String, Value: string text } && text.IndexOfAny(['\r', '\n', '\0']) < 0)
        {
            value = text;
            return true;
        }
        Fail(context, node, path, "a header value (a string without line breaks or NUL)");
        value = null;
        return false;
    }

    /// <summary>An HTTP method: a token, upper-case by convention (methods are case-sensitive, RFC 9110 §9.1).</summary>
    public static bool Method(BindContext context, TomlNode node, string path, [NotNullWhen(true)] out string? value)
    {
        if (node is TomlScalarNode { Kind: TomlScalarKind.String, Value: string text } && IsToken(text) && !text.Any(char.IsAsciiLetterLower))
        {
            value = text;
            return true;
        }
        Fail(context, node, path, "an HTTP method in upper case, such as \"GET\"");
        value = null;
        return false;
    }

    /// <summary>A path, prefix or redirect target: starts with <c>/</c>, no spaces, no control characters.</summary>
    public static bool Path(BindContext context, TomlNode node, string path, [NotNullWhen(true)] out string? value)
    {
        if (node is TomlScalarNode { Kind: TomlScalarKind.String, Value: string text }
            && text.StartsWith('/')
            && !text.Any(c => c <= ' ' || c == '\x7f'))
        {
            value = text;
            return true;
        }
        Fail(context, node, path, "a path starting with '/' without spaces");
        value = null;
        return false;
    }

    /// <summary>A Host value to send or redirect to: a host name or IP, optionally with <c>:port</c>.</summary>
    public static bool Authority(BindContext context, TomlNode node, string path, [NotNullWhen(true)] out string? value)
    {
        if (node is TomlScalarNode { Kind: TomlScalarKind.String, Value: string text } && IsAuthority(text))
        {
            value = text;
            return true;
        }
        Fail(context, node, path, "a host name, optionally with :port");
        value = null;
        return false;
    }

    public static bool TryNumber(TomlNode node, out double value)
    {
        switch (node)
        {
            case TomlScalarNode { Kind: TomlScalarKind.Integer, Value: long integer }:
                value = integer;
                return true;
            case TomlScalarNode { Kind: TomlScalarKind.Float, Value: double number } when double.IsFinite(number):
                value = number;
                return true;
            default:
                value = 0;
                return false;
        }
    }

    public static bool IsToken(string text)
    {
        if (text.Length == 0)
        {
            return false;
        }
        foreach (char c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && "!#$%&'*+-.^_`|~".IndexOf(c, StringComparison.Ordinal) < 0)
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsAuthority(string text)
    {
        if (text.StartsWith('['))
        {
            return ConfigAddress.TryParse(text.Contains("]:", StringComparison.Ordinal) ? text : text + ":0", out _, out _);
        }
        int colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            return ConfigAddress.IsHostName(text);
        }
        string port = text[(colon + 1)..];
        return ConfigAddress.IsHostName(text.AsSpan(0, colon))
            && port.Length is > 0 and <= 5
            && port.All(char.IsAsciiDigit)
            && int.Parse(port, CultureInfo.InvariantCulture) is > 0 and <= 65535;
    }
}
