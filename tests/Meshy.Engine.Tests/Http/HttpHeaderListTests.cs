using Meshy.Engine.Http;
using Meshy.Testing;

namespace Meshy.Engine.Tests.Http;

/// <summary><see cref="HttpHeaderList"/>: fields by name (case-insensitive), removal, and swapping storage between lists.</summary>
public sealed class HttpHeaderListTests
{
    private static List<(string Name, string Value)> Fields(HttpHeaderList list) => HeaderFields.Of(list);

    [Fact]
    public void Fields_FoundByNameIgnoringCase_RemovedOnesSkipped()
    {
        using var list = new HttpHeaderList();
        list.Add("Content-Type"u8, "text/plain"u8);
        list.Add("x-a"u8, "1"u8);
        list.Add("X-A"u8, "2"u8);

        Assert.True(list.TryGetValue("content-type"u8, out ReadOnlySpan<byte> type));
        Assert.Equal("text/plain"u8.ToArray(), type.ToArray());
        Assert.Equal(2, list.Remove("x-a"u8));
        Assert.Equal([("Content-Type", "text/plain")], Fields(list));
        Assert.Equal(1, list.Count);
    }

    [Fact]
    public void SwapWith_ExchangesTheFields_AndBothListsStayUsable()
    {
        using var decoded = new HttpHeaderList();
        using var exchange = new HttpHeaderList();
        decoded.Add("server"u8, "upstream"u8);
        decoded.Add("x-big"u8, new byte[3000]);              // grows the arena past its first size
        exchange.Add("stale"u8, "from the last exchange"u8);
        exchange.Clear();

        exchange.SwapWith(decoded);

        Assert.Equal(2, exchange.Count);
        Assert.Equal(("server", "upstream"), Fields(exchange)[0]);
        Assert.Equal(3000, exchange.GetValue(1).Length);
        Assert.Equal(0, decoded.Count);

        // Each keeps working on the storage it got.
        decoded.Add("next"u8, "head"u8);
        exchange.Add("via"u8, "meshy"u8);
        Assert.Equal([("next", "head")], Fields(decoded));
        Assert.Equal(("via", "meshy"), Fields(exchange)[2]);
    }
}
