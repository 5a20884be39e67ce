namespace Meshy.Engine.Tests.Transport;

/// <summary>The epoll engine's tests run alone (see <see cref="EpollSocketChannelTests.Alone"/>).</summary>
[CollectionDefinition(EpollSocketChannelTests.Alone, DisableParallelization = true)]
public sealed class EpollEngineCollection
{
}
