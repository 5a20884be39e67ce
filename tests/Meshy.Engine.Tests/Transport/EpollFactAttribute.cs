using Meshy.Engine.Transport;

namespace Meshy.Engine.Tests.Transport;

/// <summary>
/// A fact about Meshy's own epoll engine: needs Linux on x64 or arm64 (<see cref="EpollInterop.IsSupported"/>);
/// skipped, with the reason, elsewhere, where <see cref="SocketChannel.Create"/> picks the runtime's engine.
/// </summary>
public sealed class EpollFactAttribute : FactAttribute
{
    public EpollFactAttribute()
    {
        if (!EpollInterop.IsSupported)
        {
            Skip = "needs Linux x64 or arm64: the epoll engine runs only there";
        }
    }
}
