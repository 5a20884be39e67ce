using System.Buffers;
using System.Text;
using Meshy.Engine.Runtime;
using Meshy.Filters.Mirror;

namespace Meshy.Filters.Tests.Mirror;

/// <summary>The mirror's pure parts: the percent draw, the shadow Host and the window's bound.</summary>
public sealed class MirrorFilterTests
{
    [Theory]
    [InlineData(0.1, 10_000, 10)]
    [InlineData(12.5, 10_000, 1_250)]
    [InlineData(50, 10_000, 5_000)]
    [InlineData(99.99, 10_000, 9_999)]
    [InlineData(100, 10_000, 10_000)]
    [InlineData(0, 10_000, 0)]
    public void Draw_DecimalPercentOverEvenlySpacedDraws_SelectsExactlyThatShare(double percent, int draws, int expected)
    {
        var random = new SteppingRandom(draws);

        int selected = 0;
        for (int i = 0; i < draws; i++)
        {
            if (MirrorFilter.Draw(percent, random))
            {
                selected++;
            }
        }

        Assert.Equal(expected, selected);
    }

    [Theory]
    [InlineData("a:8080", "a-shadow:8080")]
    [InlineData("ui.example.com", "ui.example.com-shadow")]
    [InlineData("10.0.0.5:80", "10.0.0.5-shadow:80")]
    [InlineData("[::1]:8080", "[::1]-shadow:8080")]
    [InlineData("[::1]", "[::1]-shadow")]
    [InlineData("", "-shadow")]
    public void ShadowHost_Authority_AppendsSuffixToHostAndKeepsPort(string authority, string expected)
    {
        byte[] destination = new byte[authority.Length + 7];

        int written = ShadowHost.Write(Encoding.ASCII.GetBytes(authority), destination);

        Assert.Equal(expected, Encoding.ASCII.GetString(destination, 0, written));
    }

    [Fact]
    public async Task TryWrite_MoreThanCapacityWaiting_FullUntilTheCopyReads()
    {
        var window = new MirrorWindow(capacity: 1000);
        window.Start();
        var chunk = new ReadOnlySequence<byte>(new byte[600]);

        Assert.Equal(MirrorWrite.Written, window.TryWrite(chunk));    // 600 waiting
        Assert.Equal(MirrorWrite.Written, window.TryWrite(chunk));    // 600 ≤ 1000 waited before it: 1200 now
        Assert.Equal(MirrorWrite.Full, window.TryWrite(chunk));       // 1200 > 1000

        Meshy.Engine.Http.HttpBodyChunk read = await window.ReadAsync(CancellationToken.None);
        Assert.Equal(1200, read.Data.Length);
        window.Advance();
        Assert.Equal(MirrorWrite.Written, window.TryWrite(chunk));
    }

    [Fact]
    public void TryWrite_CopyStoppedReading_Closed()
    {
        var window = new MirrorWindow(capacity: 1000);
        window.Start();
        window.CompleteReader();

        Assert.Equal(MirrorWrite.Closed, window.TryWrite(new ReadOnlySequence<byte>(new byte[10])));
    }

    /// <summary>Draws the midpoints of n equal steps of [0, 100) in turn: a deterministic stand-in for a uniform source.</summary>
    private sealed class SteppingRandom(int steps) : IRandomSource
    {
        private int _next;

        public double NextPercent() => ((_next++ % steps) + 0.5) / steps * 100.0;
    }
}
