namespace Meshy.Testing;

/// <summary>A parsed HTTP/1 head seen by a test peer: start line and fields in order (names as received).</summary>
public sealed class HttpTestMessage
{
    /// <summary>The start line.</summary>
    public required string StartLine { get; init; }

    /// <summary>The fields, in order.</summary>
    public required List<(string Name, string Value)> Headers { get; init; }

    /// <summary>Trailer fields, once a chunked body was read.</summary>
    public List<(string Name, string Value)> Trailers { get; } = [];

    /// <summary>Request: the method.</summary>
    public string Method => StartLine.Split(' ')[0];

    /// <summary>Request: the target.</summary>
    public string Target => StartLine.Split(' ')[1];

    /// <summary>Response: the status code.</summary>
    public int Status => int.Parse(StartLine.Split(' ')[1]);

    /// <summary>The first value of a field (names case-insensitive), or null.</summary>
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>Every value of a field.</summary>
    public IEnumerable<string> HeaderValues(string name) =>
        Headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    public static HttpTestMessage Parse(string head)
    {
        string[] lines = head.Split("\r\n");
        var headers = new List<(string, string)>();
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            headers.Add((line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }
        return new HttpTestMessage { StartLine = lines[0], Headers = headers };
    }
}
