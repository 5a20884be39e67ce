using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Meshy.Bench.Load.Cli;

namespace Meshy.Bench.Load.Tools;

/// <summary>
/// <c>http-upstream [--address A] --port P --body-size N</c>: the upstream of the HTTP scenarios, an HTTP/1.1
/// keep-alive server that answers every request head with one prebuilt 200 response carrying N
/// bytes. It never parses more than the end of each head (<c>\r\n\r\n</c>), so it is far cheaper
/// than any proxy in front of it and keeps the load core free for the load generator.
/// NOTE: requests with a body are not supported (wrk and h2load send GETs).
/// Prints <c>{"port":N}</c> once bound.
/// </summary>
internal static class HttpUpstreamCommand
{
    private const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static int Run(string[] args)
    {
        var options = CommandArgs.Parse(args, StdinWatch.Flag);
        // Loopback unless told otherwise: the transparent-sidecar bench runs it in another network namespace.
        IPAddress address = IPAddress.Parse(options.String("address") ?? "127.0.0.1");
        int port = options.Int("port", 0, min: 0, max: 65535);
        int bodySize = options.Int("body-size", 6, min: 0, max: 64 * 1024 * 1024);
        bool watchStdin = options.Flag(StdinWatch.Flag);
        options.RejectUnknown();

        // Continuations on the socket engine's thread, as meshy runs its own: a hop to the thread pool per
        // request costs this process two context switches, CPU the load core owes the load generator.
        // Read when the first socket is made, so set before that; an explicit setting wins.
        if (Environment.GetEnvironmentVariable(InlineSocketCompletions) is null)
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions, "1");
        }
        byte[] response = BuildResponse(bodySize);
        using var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(address, port));
        listener.Listen(4096);
        int bound = ((IPEndPoint)listener.LocalEndPoint!).Port;
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"port\":{bound}}}"));
        Console.Out.Flush();
        if (watchStdin)
        {
            StdinWatch.Start();
        }

        AcceptLoopAsync(listener, response).GetAwaiter().GetResult();
        return 0;
    }

    /// <summary>The complete response, status line to last body byte, built once.</summary>
    public static byte[] BuildResponse(int bodySize)
    {
        string head = string.Create(
            CultureInfo.InvariantCulture,
            $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {bodySize}\r\n\r\n");
        byte[] response = new byte[Encoding.ASCII.GetByteCount(head) + bodySize];
        int headLength = Encoding.ASCII.GetBytes(head, response);
        // "hello\n" for the 6-byte case, the same pattern repeated for larger bodies.
        ReadOnlySpan<byte> pattern = "hello\n"u8;
        for (int i = 0; i < bodySize; i++)
        {
            response[headLength + i] = pattern[i % pattern.Length];
        }
        return response;
    }

    /// <summary>
    /// Counts request heads that end in <paramref name="data"/>. <paramref name="matched"/> carries
    /// how many bytes of <c>\r\n\r\n</c> the previous read ended with, so a terminator split across
    /// reads is still counted once.
    /// </summary>
    public static int CountHeadEnds(ReadOnlySpan<byte> data, ref int matched)
    {
        int count = 0;
        int state = matched;
        foreach (byte b in data)
        {
            if (b == (state is 0 or 2 ? (byte)'\r' : (byte)'\n'))
            {
                state++;
                if (state == 4)
                {
                    count++;
                    state = 0;
                }
            }
            else
            {
                state = b == '\r' ? 1 : 0;
            }
        }
        matched = state;
        return count;
    }

    private static async Task AcceptLoopAsync(Socket listener, byte[] response)
    {
        while (true)
        {
            Socket connection = await listener.AcceptAsync();
            _ = ServeAsync(connection, response);
        }
    }

    private static async Task ServeAsync(Socket connection, byte[] response)
    {
        byte[] buffer = new byte[16 * 1024];
        int matched = 0;
        try
        {
            connection.NoDelay = true;
            while (true)
            {
                int read = await connection.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    return;
                }
                int requests = CountHeadEnds(buffer.AsSpan(0, read), ref matched);
                for (int i = 0; i < requests; i++)
                {
                    await connection.SendAsync(response, SocketFlags.None);
                }
            }
        }
        catch (SocketException)
        {
            // The client or proxy went away mid-request: normal at the end of a run.
        }
        finally
        {
            connection.Dispose();
        }
    }
}
