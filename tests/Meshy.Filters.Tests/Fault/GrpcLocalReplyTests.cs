using Meshy.Engine.Http;
using Meshy.Engine.Pipeline;

namespace Meshy.Filters.Tests.Fault;

/// <summary>The gRPC form of local replies: which requests get it, the status mapping, the message encoding.</summary>
public sealed class GrpcLocalReplyTests
{
    [Theory]
    [InlineData(400, 13)]
    [InlineData(401, 16)]
    [InlineData(403, 7)]
    [InlineData(404, 12)]
    [InlineData(429, 14)]
    [InlineData(502, 14)]
    [InlineData(503, 14)]
    [InlineData(504, 14)]
    [InlineData(500, 2)]
    [InlineData(418, 2)]
    public void StatusFor_HttpStatus_MapsPerGrpcSpec(int http, int grpc) =>
        Assert.Equal(grpc, GrpcLocalReply.StatusFor(http, ResponseFlags.None));

    [Fact]
    public void StatusFor_RouteTimeout_DeadlineExceeded() =>
        Assert.Equal(4, GrpcLocalReply.StatusFor(504, ResponseFlags.UpstreamRequestTimeout | ResponseFlags.DelayInjected));

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("Application/GRPC-web", true)]
    [InlineData("application/json", false)]
    [InlineData("application/grp", false)]
    [InlineData(null, false)]
    public void SendLocalReply_ContentType_GrpcFormOnlyForGrpc(string? contentType, bool grpc)
    {
        using var test = new TestExchange(contentType);

        test.Exchange.SendLocalReply(503, "no healthy upstream\n"u8.ToArray(), ResponseFlags.NoHealthyUpstream);

        Assert.Equal(grpc ? 200 : 503, test.Exchange.Response.StatusCode);
        Assert.Equal(grpc ? "14" : null, test.ResponseHeader("grpc-status"));
        Assert.Equal(grpc ? "application/grpc" : "text/plain", test.ResponseHeader("content-type"));
        Assert.Equal(ResponseFlags.NoHealthyUpstream, test.Exchange.ResponseFlags);
        Assert.Equal(grpc ? 14 : -1, test.Exchange.GrpcStatus);
    }

    [Fact]
    public void SendLocalReply_MessageWithPercentAndNonAscii_PercentEncoded()
    {
        using var test = new TestExchange("application/grpc");

        test.Exchange.SendLocalReply(500, "100% caf\u00e9\n"u8.ToArray());

        Assert.Equal("100%25 caf%C3%A9", test.ResponseHeader("grpc-message"));
    }

    [Fact]
    public void SendDirectResponse_GrpcRequest_SentAsConfigured()
    {
        using var test = new TestExchange("application/grpc");

        test.Exchange.SendDirectResponse(200, "ok"u8.ToArray());

        Assert.Equal(200, test.Exchange.Response.StatusCode);
        Assert.Null(test.ResponseHeader("grpc-status"));
        Assert.Equal("text/plain", test.ResponseHeader("content-type"));
    }

    [Fact]
    public void Reset_AfterGrpcReply_ForgetsGrpcStatus()
    {
        using var test = new TestExchange("application/grpc");
        test.Exchange.SendLocalReply(404);

        test.Exchange.Reset();

        Assert.Equal(-1, test.Exchange.GrpcStatus);
    }
}
