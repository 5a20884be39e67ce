using Meshy.Conf.Schema;

namespace Meshy.Conf.Tests.Schema;

public sealed class ConfigDurationTests
{
    [Theory]
    [InlineData("250ms", 250 * TimeSpan.TicksPerMillisecond)]
    [InlineData("5s", 5 * TimeSpan.TicksPerSecond)]
    [InlineData("1.5s", 1500 * TimeSpan.TicksPerMillisecond)]
    [InlineData("1m", TimeSpan.TicksPerMinute)]
    [InlineData("1h", TimeSpan.TicksPerHour)]
    [InlineData("0s", 0)]
    [InlineData("0.5ms", TimeSpan.TicksPerMillisecond / 2)]
    [InlineData("007s", 7 * TimeSpan.TicksPerSecond)]
    public void TryParse_ValidDuration_GivesItsLength(string text, long ticks)
    {
        Assert.True(ConfigDuration.TryParse(text, out TimeSpan duration));
        Assert.Equal(TimeSpan.FromTicks(ticks), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("s")]
    [InlineData("5 s")]
    [InlineData(" 5s")]
    [InlineData("+5s")]
    [InlineData("-5s")]
    [InlineData("1m30s")]
    [InlineData("5sec")]
    [InlineData("5us")]
    [InlineData("1d")]
    [InlineData("1e3ms")]
    [InlineData("1,5s")]
    [InlineData(".5s")]
    [InlineData("5.s")]
    [InlineData("99999999999999h")]
    public void TryParse_AnythingElse_IsRejected(string text)
    {
        Assert.False(ConfigDuration.TryParse(text, out _));
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(250 * TimeSpan.TicksPerMillisecond, "250ms")]
    [InlineData(1500 * TimeSpan.TicksPerMillisecond, "1500ms")]
    [InlineData(90 * TimeSpan.TicksPerSecond, "90s")]
    [InlineData(2 * TimeSpan.TicksPerMinute, "2m")]
    [InlineData(3 * TimeSpan.TicksPerHour, "3h")]
    [InlineData(TimeSpan.TicksPerMillisecond / 2, "0.5ms")]
    public void Format_Duration_UsesLargestExactUnit(long ticks, string expected)
    {
        string text = ConfigDuration.Format(TimeSpan.FromTicks(ticks));

        Assert.Equal(expected, text);
        Assert.Equal(TimeSpan.FromTicks(ticks), ConfigDuration.Parse(text));
    }
}
