using System.Text;
using Meshy.Engine.Http;
using Meshy.Filters.HttpConnectionManager;
using Meshy.Testing;

namespace Meshy.Filters.Tests.HttpProxy;

/// <summary><see cref="ForwardingHeaders"/>: what every proxied request gains on its way upstream, found in one pass over the client's fields.</summary>
public sealed class ForwardingHeadersTests
{
    private static List<(string Name, string Value)> Apply(params (string Name, string Value)[] client)
    {
        using var headers = new HttpHeaderList();
        foreach ((string name, string value) in client)
        {
            headers.Add(Encoding.ASCII.GetBytes(name), Encoding.ASCII.GetBytes(value));
        }
        ForwardingHeaders.Apply(headers, "10.0.0.7"u8);
        return HeaderFields.Of(headers);
    }

    [Fact]
    public void NoForwardingFields_AllThreeAdded_WithAFreshRequestId()
    {
        List<(string Name, string Value)> fields = Apply(("host", "a"));

        Assert.Equal(("host", "a"), fields[0]);
        Assert.Equal(("x-forwarded-for", "10.0.0.7"), fields[1]);
        Assert.Equal(("x-forwarded-proto", "http"), fields[2]);
        Assert.Equal("x-request-id", fields[3].Name);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", fields[3].Value);
        Assert.Equal(4, fields.Count);
    }

    [Fact]
    public void OneForwardedForLine_ClientAppendedToIt_AndTheOldLineGone()
    {
        List<(string Name, string Value)> fields = Apply(("X-Forwarded-For", "192.0.2.1, 192.0.2.2"), ("host", "a"));

        Assert.Equal([("192.0.2.1, 192.0.2.2, 10.0.0.7")], fields.Where(f => f.Name.Equals("x-forwarded-for", StringComparison.OrdinalIgnoreCase)).Select(f => f.Value));
    }

    [Fact]
    public void SeveralForwardedForLines_KeptAndOneMoreLineAdded()
    {
        List<(string Name, string Value)> fields = Apply(("x-forwarded-for", "192.0.2.1"), ("x-forwarded-for", "192.0.2.2"));

        Assert.Equal(["192.0.2.1", "192.0.2.2", "10.0.0.7"], fields.Where(f => f.Name == "x-forwarded-for").Select(f => f.Value));
    }

    [Fact]
    public void ClientForwardedProto_EveryLineReplacedByOurs()
    {
        List<(string Name, string Value)> fields = Apply(("X-Forwarded-Proto", "https"), ("x-forwarded-proto", "wss"), ("host", "a"));

        Assert.Equal(["http"], fields.Where(f => f.Name.Equals("x-forwarded-proto", StringComparison.OrdinalIgnoreCase)).Select(f => f.Value));
    }

    [Fact]
    public void ClientRequestId_KeptAsItIs_WhateverTheNamesCase()
    {
        List<(string Name, string Value)> fields = Apply(("X-Request-ID", "given"));

        Assert.Equal([("X-Request-ID", "given")], fields.Where(f => f.Name.Equals("x-request-id", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public void RequestIds_ShareTheProcessPrefix_AndDifferInTheCounter()
    {
        byte[] first = new byte[HttpRequestIdGenerator.Length];
        byte[] second = new byte[HttpRequestIdGenerator.Length];
        HttpRequestIdGenerator.Write(first);
        HttpRequestIdGenerator.Write(second);
        string a = Encoding.ASCII.GetString(first);
        string b = Encoding.ASCII.GetString(second);

        Assert.Equal(a[..19], b[..19]);
        Assert.NotEqual(a, b);
        // Counters of one process: the second is the first plus one at least (other tests may take ids between).
        ulong counterA = Convert.ToUInt64(a[19..].Replace("-", "", StringComparison.Ordinal), 16);
        ulong counterB = Convert.ToUInt64(b[19..].Replace("-", "", StringComparison.Ordinal), 16);
        Assert.True(counterB > counterA, $"{b} after {a}");
    }
}
