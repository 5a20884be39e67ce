using Meshy.Filters.Http2;

namespace Meshy.Filters.Tests.Http2;

public sealed class Http2FlowWindowTests
{
    [Fact]
    public void TryIncrease_UpToTheMaximum_Succeeds()
    {
        var window = new Http2FlowWindow(65_535);

        Assert.True(window.TryIncrease(int.MaxValue - 65_535));

        Assert.Equal(int.MaxValue, window.Size);
    }

    [Fact]
    public void TryIncrease_BeyondTheMaximum_FailsAndKeepsTheWindow()
    {
        var window = new Http2FlowWindow(65_535);

        Assert.False(window.TryIncrease(int.MaxValue - 65_534));

        Assert.Equal(65_535, window.Size);
    }

    [Fact]
    public void Increase_OverflowOnAStream_ThrowsStreamFlowControlError()
    {
        var window = new Http2FlowWindow(int.MaxValue);

        var error = Assert.Throws<Http2ProtocolException>(() => window.Increase(1, streamId: 3));

        Assert.Equal(Http2Error.Stream(Http2ErrorCode.FlowControlError, 3, error.Error.Message), error.Error);
    }

    [Fact]
    public void Increase_OverflowOnTheConnection_ThrowsConnectionFlowControlError()
    {
        var window = new Http2FlowWindow(int.MaxValue);

        var error = Assert.Throws<Http2ProtocolException>(() => window.Increase(1, streamId: 0));

        Assert.Equal(Http2ErrorCode.FlowControlError, error.Code);
        Assert.Equal(Http2ErrorScope.Connection, error.Scope);
    }

    [Fact]
    public void TryConsume_MoreThanTheWindow_FailsAndKeepsTheWindow()
    {
        var window = new Http2FlowWindow(100);

        Assert.True(window.TryConsume(60));
        Assert.False(window.TryConsume(41));

        Assert.Equal(40, window.Size);
    }

    [Fact]
    public void Receive_BeyondTheWindow_ThrowsFlowControlErrorOfTheRightScope()
    {
        var stream = new Http2FlowWindow(10);
        var connection = new Http2FlowWindow(10);

        var streamError = Assert.Throws<Http2ProtocolException>(() => stream.Receive(11, streamId: 5));
        var connectionError = Assert.Throws<Http2ProtocolException>(() => connection.Receive(11, streamId: 0));

        Assert.Equal((Http2ErrorCode.FlowControlError, Http2ErrorScope.Stream, 5), (streamError.Code, streamError.Scope, streamError.StreamId));
        Assert.Equal((Http2ErrorCode.FlowControlError, Http2ErrorScope.Connection), (connectionError.Code, connectionError.Scope));
    }

    [Fact]
    public void AdjustInitialSize_Lowered_CanMakeTheWindowNegative()
    {
        var window = new Http2FlowWindow(65_535);
        Assert.True(window.TryConsume(60_000));

        window.AdjustInitialSize(65_535, 1_000);

        Assert.Equal(5_535 - 64_535, window.Size);
        Assert.Equal(0, window.Available);
        Assert.False(window.TryConsume(1));
    }

    [Fact]
    public void AdjustInitialSize_RaisedBeyondTheMaximum_ThrowsConnectionFlowControlError()
    {
        var window = new Http2FlowWindow(int.MaxValue - 10);

        var error = Assert.Throws<Http2ProtocolException>(() => window.AdjustInitialSize(65_535, 65_546));

        Assert.Equal((Http2ErrorCode.FlowControlError, Http2ErrorScope.Connection), (error.Code, error.Scope));
    }

    [Fact]
    public void Settings_Defaults_AreTheRfcInitialValues()
    {
        Http2Settings settings = Http2Settings.Default;

        Assert.Equal((4096u, true, uint.MaxValue, 65_535, 16_384, uint.MaxValue),
            (settings.HeaderTableSize, settings.EnablePush, settings.MaxConcurrentStreams, settings.InitialWindowSize, settings.MaxFrameSize,
                settings.MaxHeaderListSize));
    }

    [Fact]
    public void Settings_GetNonDefaultParameters_ListsOnlyChangedOnes()
    {
        var settings = Http2Settings.Default with { EnablePush = false, MaxConcurrentStreams = 100, InitialWindowSize = 1 << 20 };
        Span<Http2Setting> parameters = stackalloc Http2Setting[6];

        int count = settings.GetNonDefaultParameters(parameters);

        Assert.Equal(
            [new(Http2SettingId.EnablePush, 0), new(Http2SettingId.MaxConcurrentStreams, 100), new(Http2SettingId.InitialWindowSize, 1 << 20)],
            parameters[..count].ToArray());
    }
}
