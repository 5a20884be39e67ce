using System.Text;
using Meshy.Bench.Load.Tools;

namespace Meshy.Cli.Tests.Bench;

public sealed class HttpRateToolTests
{
    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\n", 200, 6, false)]
    [InlineData("HTTP/1.1 503 Service Unavailable\r\ncontent-length:  19 \r\nConnection: close\r\n\r\n", 503, 19, true)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 200, 0, true)]
    [InlineData("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n", 200, 2, false)]
    [InlineData("HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n", 204, 0, false)]
    public void ResponseHeadParse_ContentLengthFraming_ReturnsStatusLengthAndClose(string head, int status, long length, bool close)
    {
        Assert.Equal((status, length, close), ResponseHead.Parse(Encoding.ASCII.GetBytes(head)));
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "chunked responses are not supported (Content-Length only)")]
    [InlineData("HTTP/1.1 200 OK\r\nServer: x\r\n\r\n", "response 200 has no Content-Length")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 6x\r\n\r\n", "bad Content-Length: 6x")]
    [InlineData("SSH-2.0-OpenSSH\r\n\r\n", "not an HTTP/1.x status line: SSH-2.0-OpenSSH  ")]
    public void ResponseHeadParse_Unframeable_FailsWithTheReason(string head, string reason)
    {
        FormatException e = Assert.Throws<FormatException>(() => ResponseHead.Parse(Encoding.ASCII.GetBytes(head)));
        Assert.Equal(reason, e.Message);
    }

    [Theory]
    [InlineData(50, 500)]
    [InlineData(99, 990)]
    [InlineData(99.9, 999)]
    [InlineData(100, 1000)]
    public void LatencyPercentilesOf_Thousand_IsNearestRank(double percent, double expected)
    {
        double[] sorted = Enumerable.Range(1, 1000).Select(i => (double)i).ToArray();

        Assert.Equal(expected, LatencyPercentiles.Of(sorted, percent));
    }

    [Fact]
    public void LatencyPercentilesOf_FiveThousand_P999IsTheFifthWorst()
    {
        double[] sorted = Enumerable.Range(1, 5000).Select(i => (double)i).ToArray();

        Assert.Equal(4995, LatencyPercentiles.Of(sorted, 99.9));
    }
}
