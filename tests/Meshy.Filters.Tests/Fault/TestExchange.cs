using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Meshy.Engine.Http;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Fault;

/// <summary>An <see cref="HttpExchange"/> on a connection that never touches the network, for filter unit tests.</summary>
internal sealed class TestExchange : IDisposable
{
    private readonly SocketChannel _channel = SocketChannel.Create(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
    private readonly SocketSender _sender;

    public TestExchange(string? contentType = null, TimeProvider? time = null)
    {
        _sender = _channel.CreateSender();
        ProxySnapshot snapshot = TestSnapshots.Snapshot([]);
        var input = new Pipe();
        var output = new Pipe();
        var connection = new ConnectionContext
        {
            Id = 1,
            Snapshot = snapshot,
            Listener = TestSnapshots.Listener("web", TestSnapshots.AnyLoopbackPort),
            Transport = new DuplexPipe(input.Reader, output.Writer),
            Sender = _sender,
            RemoteEndPoint = new IPEndPoint(IPAddress.Loopback, 40000),
            LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 8080),
            Draining = CancellationToken.None,
            Closing = CancellationToken.None,
        };
        Exchange = new HttpExchange(connection, time);
        Exchange.Begin(snapshot);
        Exchange.Request.SetMethod(HttpMethodKind.Post, "POST"u8);
        Exchange.Request.SetPath("/svc/Method"u8);
        if (contentType is not null)
        {
            Exchange.Request.Headers.Add("content-type"u8, System.Text.Encoding.ASCII.GetBytes(contentType));
        }
    }

    public HttpExchange Exchange { get; }

    /// <summary>The value of response header <paramref name="name"/>, or null.</summary>
    public string? ResponseHeader(string name)
    {
        HttpHeaderList headers = Exchange.Response.Headers;
        int index = headers.IndexOf(System.Text.Encoding.ASCII.GetBytes(name));
        return index < 0 ? null : headers.GetValueString(index);
    }

    public void Dispose()
    {
        Exchange.Dispose();
        _sender.Dispose();
        _channel.Close();
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}
