using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Meshy.Testing;

/// <summary>
/// An HTTP/1.1 backend for proxy tests on 127.0.0.1 port 0, over raw sockets so it can misbehave on
/// purpose. Each connection reads requests one after the other and hands each (head and body read) to
/// the handler, which writes the answer to the socket and returns whether the connection goes on.
/// </summary>
public sealed class FakeHttpUpstream : IAsyncDisposable
{
    private readonly FakeUpstream _server;
    private readonly ConcurrentQueue<FakeHttpRequest> _requests = new();

    private FakeHttpUpstream(Func<FakeHttpRequest, CancellationToken, Task<bool>> handler)
    {
        _server = FakeUpstream.Start(async (socket, cancellationToken) =>
        {
            var connection = new HttpTestConnection(socket);
            while (true)
            {
                HttpTestMessage? head = await connection.ReadHeadAsync(cancellationToken);
                if (head is null)
                {
                    return;
                }
                var request = new FakeHttpRequest { Head = head, Connection = connection };
                _requests.Enqueue(request);
                if (!await handler(request, cancellationToken))
                {
                    return;
                }
            }
        });
    }

    /// <summary>Where it listens.</summary>
    public IPEndPoint EndPoint => _server.EndPoint;

    /// <summary>Connections accepted.</summary>
    public int Accepted => _server.Accepted;

    /// <summary>Connections open now (a connection ends when the peer closes it or the handler returns false).</summary>
    public int Active => _server.Active;

    /// <summary>Exceptions from handlers.</summary>
    public IReadOnlyCollection<Exception> Errors => _server.Errors;

    /// <summary>Requests received, in arrival order.</summary>
    public IReadOnlyList<FakeHttpRequest> Requests => [.. _requests];

    /// <summary>A backend running <paramref name="handler"/> for each request.</summary>
    public static FakeHttpUpstream Start(Func<FakeHttpRequest, CancellationToken, Task<bool>> handler) => new(handler);

    /// <summary>
    /// Answers every request 200 with a body <c>METHOD TARGET len=N</c> (N: request body bytes), keep-alive.
    /// <c>/status/NNN</c> answers that status with no body.
    /// </summary>
    public static FakeHttpUpstream Echo() => Start(EchoAsync);

    /// <summary><see cref="Echo"/>'s answer to one request, for handlers that echo most requests and treat some apart.</summary>
    public static async Task<bool> EchoAsync(FakeHttpRequest request, CancellationToken cancellationToken)
    {
        byte[] body = await request.ReadBodyAsync();
        if (request.Head.Target.StartsWith("/status/", StringComparison.Ordinal))
        {
            int status = int.Parse(request.Head.Target["/status/".Length..]);
            await request.RespondAsync(status, [], cancellationToken);
            return true;
        }
        await request.RespondAsync(200, Encoding.ASCII.GetBytes($"{request.Head.Method} {request.Head.Target} len={body.Length}"), cancellationToken);
        return true;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
