using System.Net;
using Meshy.Filters.Http2;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Http2Proxy;

/// <summary>Checks shared by the tests that end a client's connection on purpose (malformed frames, attacks).</summary>
internal static class Http2Asserts
{
    /// <summary>
    /// <paramref name="connection"/> ends with GOAWAY <paramref name="code"/> and is closed, and a new connection to the
    /// same listener is still served: a connection error costs the offending client its own connection, nobody else's.
    /// Returns the GOAWAY, for its last stream id.
    /// </summary>
    public static async Task<RawFrame> GoAwayThenOthersServedAsync(
        RawHttp2Connection connection, Http2ErrorCode code, HttpProxyHarness proxy, FakeHttpUpstream upstream)
    {
        RawFrame goAway = await connection.ReadGoAwayAsync();
        Assert.Equal(code, goAway.ErrorCode);
        Assert.True(await Loopback.WaitForCloseAsync(connection.Socket), "the server sent more after GOAWAY instead of closing");
        await OthersServedAsync(proxy, upstream);
        return goAway;
    }

    /// <summary>A fresh HTTP/2 connection (HttpClient) gets <c>/still</c> answered by <paramref name="upstream"/>.</summary>
    public static async Task OthersServedAsync(HttpProxyHarness proxy, FakeHttpUpstream upstream)
    {
        using HttpClient client = Http2Clients.Create(proxy);
        HttpResponseMessage response = await client.GetAsync("/still");
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"got {(int)response.StatusCode}");
        Assert.Contains(upstream.Requests, r => r.Head.Target == "/still");
    }
}
