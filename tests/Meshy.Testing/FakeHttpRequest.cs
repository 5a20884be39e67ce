using System.Net.Sockets;
using System.Text;

namespace Meshy.Testing;

/// <summary>One request received by a <see cref="FakeHttpUpstream"/>, with helpers to answer it.</summary>
public sealed class FakeHttpRequest
{
    /// <summary>The request head as received.</summary>
    public required HttpTestMessage Head { get; init; }

    /// <summary>The connection (for reading the body or answering by hand).</summary>
    public required HttpTestConnection Connection { get; init; }

    /// <summary>The body, once read.</summary>
    public byte[]? Body { get; private set; }

    /// <summary>The socket.</summary>
    public Socket Socket => Connection.Socket;

    /// <summary>Reads the body (Content-Length or chunked).</summary>
    public async Task<byte[]> ReadBodyAsync()
    {
        Body = await Connection.ReadBodyAsync(Head);
        return Body;
    }

    /// <summary>Answers <paramref name="status"/> with a Content-Length body and <paramref name="headers"/>.</summary>
    public Task RespondAsync(int status, byte[] body, CancellationToken cancellationToken = default, params (string Name, string Value)[] headers)
    {
        var head = new StringBuilder($"HTTP/1.1 {status} X\r\n");
        foreach ((string name, string value) in headers)
        {
            head.Append($"{name}: {value}\r\n");
        }
        if (status is >= 200 and not 204 and not 304)
        {
            head.Append($"Content-Length: {body.Length}\r\n");
        }
        head.Append("\r\n");
        return SendAsync([.. Encoding.Latin1.GetBytes(head.ToString()), .. body], cancellationToken);
    }

    /// <summary>Sends raw bytes.</summary>
    public Task SendAsync(byte[] bytes, CancellationToken cancellationToken = default) =>
        Loopback.SendAllAsync(Socket, bytes, cancellationToken);

    /// <summary>Sends text as Latin-1.</summary>
    public Task SendAsync(string text, CancellationToken cancellationToken = default) =>
        SendAsync(Encoding.Latin1.GetBytes(text), cancellationToken);
}
