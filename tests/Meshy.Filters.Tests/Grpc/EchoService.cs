using Grpc.Core;

namespace Meshy.Filters.Tests.Grpc;

/// <summary>
/// The <c>meshy.test.Echo</c> service (echo.proto) the gRPC proxy tests call. It records when a
/// <c>Slow</c> call was cancelled, so a test can see the deadline reach the backend through the proxy.
/// </summary>
internal sealed class EchoService(GrpcEchoBackend backend) : Echo.EchoBase
{
    public override async Task<EchoReply> Unary(EchoRequest request, ServerCallContext context)
    {
        // Response headers go out first, the trailer after the message: both must cross the proxy.
        await context.WriteResponseHeadersAsync(new Metadata { { "x-echo-header", "head" } });
        context.ResponseTrailers.Add("x-echo-trailer", "tail-" + request.Number);
        string client = context.RequestHeaders.GetValue("x-client-header") ?? "";
        return new EchoReply { Text = request.Text + "|" + client, Number = request.Number };
    }

    public override async Task ServerStream(EchoRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        for (int i = 0; i < request.Count; i++)
        {
            await responseStream.WriteAsync(new EchoReply { Text = request.Text, Number = i });
        }
    }

    public override async Task<EchoReply> ClientStream(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
    {
        int sum = 0;
        int count = 0;
        await foreach (EchoRequest request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            sum += request.Number;
            count++;
        }
        return new EchoReply { Number = sum, Count = count };
    }

    public override async Task Bidi(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        await foreach (EchoRequest request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(new EchoReply { Text = "pong " + request.Text, Number = request.Number });
        }
    }

    public override async Task<EchoReply> Slow(EchoRequest request, ServerCallContext context)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(5), context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            backend.SlowCallCancelled();
            throw;
        }
        return new EchoReply { Text = "late" };
    }

    public override Task<EchoReply> Fail(EchoRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.NotFound, request.Text));
}
