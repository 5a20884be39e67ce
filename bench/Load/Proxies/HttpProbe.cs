using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Meshy.Bench.Load.Proxies;

/// <summary>
/// One HTTP/1.1 GET over a raw socket, to check readiness and that a proxy really forwards before
/// load starts. Raw on purpose: HttpClient's pooling and retries would hide a proxy that answers
/// once and then closes.
/// </summary>
internal static class HttpProbe
{
    /// <summary>
    /// <see cref="GetAsync"/> within <paramref name="timeout"/>, or null when <paramref name="target"/> refuses,
    /// resets, times out or does not speak HTTP (an admin port not up yet, or not an admin port at all).
    /// </summary>
    public static async Task<(int Status, string Body)?> TryGetAsync(IPEndPoint target, string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(timeout);
            return await GetAsync(target, path, attempt.Token);
        }
        catch (Exception e) when (e is SocketException or IOException or FormatException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    /// <summary>Status and body of <c>GET path</c>; needs Content-Length framing (what our upstream and admin send).</summary>
    public static async Task<(int Status, string Body)> GetAsync(IPEndPoint target, string path, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(target, cancellationToken);
        byte[] request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: bench\r\nUser-Agent: meshy-bench-probe\r\n\r\n");
        await socket.SendAsync(request, SocketFlags.None, cancellationToken);

        var received = new List<byte>();
        byte[] buffer = new byte[16 * 1024];
        while (true)
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            received.AddRange(buffer.AsSpan(0, read));
            string text = Encoding.ASCII.GetString(received.ToArray());
            int headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headEnd >= 0 && TryComplete(text, headEnd, out int status, out string? body))
            {
                return (status, body);
            }
            if (read == 0)
            {
                throw new IOException(received.Count == 0
                    ? $"{target} closed the connection without answering"
                    : $"{target} closed the connection mid-response: {Abbreviate(text)}");
            }
        }
    }

    private static bool TryComplete(string text, int headEnd, out int status, out string body)
    {
        string[] lines = text[..headEnd].Split("\r\n");
        string[] statusLine = lines[0].Split(' ', 3);
        if (statusLine.Length < 2 || !statusLine[0].StartsWith("HTTP/", StringComparison.Ordinal)
            || !int.TryParse(statusLine[1], NumberStyles.None, CultureInfo.InvariantCulture, out status))
        {
            throw new FormatException($"not an HTTP response: {Abbreviate(text)}");
        }
        int length = 0;
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim().Equals("content-length", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(line[(colon + 1)..].Trim(), CultureInfo.InvariantCulture);
            }
        }
        int bodyStart = headEnd + 4;
        body = text.Length - bodyStart >= length ? text.Substring(bodyStart, length) : "";
        return text.Length - bodyStart >= length;
    }

    private static string Abbreviate(string text)
    {
        string oneLine = text.Replace("\r\n", " ", StringComparison.Ordinal);
        return oneLine.Length <= 120 ? oneLine : oneLine[..117] + "...";
    }
}
