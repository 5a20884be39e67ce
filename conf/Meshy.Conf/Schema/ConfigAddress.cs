using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Meshy.Conf.Schema;

/// <summary>
/// A <c>host:port</c> address from the config: an IPv4 literal, an IPv6 literal in brackets
/// (<c>[::1]:8080</c>) or a DNS name (<c>db.internal:5432</c>), with the text as written.
/// </summary>
public sealed record ConfigAddress
{
    private ConfigAddress(string host, int port, string text, IPAddress? ip)
    {
        Host = host;
        Port = port;
        Text = text;
        IPAddress = ip;
    }

    /// <summary>Stands in for a missing or invalid address while the rest of the file is checked; never in a loaded config.</summary>
    internal static ConfigAddress Unset { get; } = new("", 0, "", null);

    /// <summary>The host without brackets: <c>10.0.0.5</c>, <c>::1</c> or <c>db.internal</c>.</summary>
    public string Host { get; }

    /// <summary>The port, 0 to 65535 (0 asks the OS for a free port when binding).</summary>
    public int Port { get; }

    /// <summary>The address exactly as written in the file.</summary>
    public string Text { get; }

    /// <summary>The parsed IP literal, or null when <see cref="Host"/> is a DNS name.</summary>
    public IPAddress? IPAddress { get; }

    /// <summary>True when the host is an IP literal (so no DNS lookup is needed).</summary>
    [MemberNotNullWhen(true, nameof(IPAddress))]
    public bool IsIPAddress => IPAddress is not null;

    /// <summary>
    /// An <see cref="IPEndPoint"/> for an IP literal, <c>localhost</c> as the IPv4 loopback, otherwise a
    /// <see cref="DnsEndPoint"/> resolved when connecting.
    /// </summary>
    public EndPoint ToEndPoint()
    {
        if (IPAddress is not null)
        {
            return new IPEndPoint(IPAddress, Port);
        }
        if (string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new IPEndPoint(IPAddress.Loopback, Port);
        }
        return new DnsEndPoint(Host, Port);
    }

    /// <summary>Makes an address from an IP and port (text as <c>host:port</c>, IPv6 bracketed).</summary>
    public static ConfigAddress FromIPEndPoint(IPEndPoint endPoint)
    {
        string host = endPoint.Address.ToString();
        string text = endPoint.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{host}]:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{host}:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}";
        return new ConfigAddress(host, endPoint.Port, text, endPoint.Address);
    }

    /// <summary>
    /// Parses <c>host:port</c>. On failure <paramref name="error"/> says what is wrong in a few words
    /// (it completes "must be host:port ... (got "x": ERROR)").
    /// </summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out ConfigAddress? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        string host;
        string portText;
        IPAddress? ip = null;
        if (text.StartsWith('['))
        {
            // [v6]:port — brackets are the only way to tell an IPv6 literal's colons from the port's.
            int close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = "missing ']'";
                return false;
            }
            host = text[1..close];
            if (!IPAddress.TryParse(host, out ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = "not an IPv6 address in brackets";
                return false;
            }
            if (close + 1 >= text.Length || text[close + 1] != ':')
            {
                error = "missing port";
                return false;
            }
            portText = text[(close + 2)..];
        }
        else
        {
            int colon = text.LastIndexOf(':');
            if (colon < 0)
            {
                error = "missing port";
                return false;
            }
            if (text.IndexOf(':') != colon)
            {
                error = "IPv6 addresses need brackets, as in [::1]:8080";
                return false;
            }
            host = text[..colon];
            portText = text[(colon + 1)..];
            if (host.Length == 0)
            {
                error = "missing host";
                return false;
            }
            if (LooksLikeIPv4(host))
            {
                if (!IsDottedQuad(host) || !IPAddress.TryParse(host, out ip))
                {
                    error = "not a valid IPv4 address";
                    return false;
                }
            }
            else if (!IsHostName(host))
            {
                error = "not a valid host name";
                return false;
            }
        }
        if (portText.Length == 0 || portText.Length > 5 || !portText.All(char.IsAsciiDigit))
        {
            error = portText.Length == 0 ? "missing port" : "port is not a number from 0 to 65535";
            return false;
        }
        int port = int.Parse(portText, NumberStyles.None, CultureInfo.InvariantCulture);
        if (port > 65535)
        {
            error = "port is not a number from 0 to 65535";
            return false;
        }
        address = new ConfigAddress(host, port, text, ip);
        error = null;
        return true;
    }

    /// <summary>True for a DNS name: dot-separated labels of letters, digits and inner hyphens (RFC 1123).</summary>
    public static bool IsHostName(ReadOnlySpan<char> host)
    {
        if (host.IsEmpty || host.Length > 253)
        {
            return false;
        }
        foreach (Range range in host.Split('.'))
        {
            ReadOnlySpan<char> label = host[range];
            if (label.IsEmpty || label.Length > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }
            foreach (char c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    private static bool LooksLikeIPv4(string host) => host.All(c => char.IsAsciiDigit(c) || c == '.');

    // IPAddress.TryParse accepts "10.1" and "10" (classful shorthand); a config means four parts.
    private static bool IsDottedQuad(string host) => host.Count(c => c == '.') == 3;
}
