using System.Net;
using System.Net.Sockets;

namespace Meshy.Bench.Load.Processes;

/// <summary>
/// A loopback port that was free a moment ago, for configs of programs that cannot report the port
/// they bound. NOTE: racy by nature (someone may take it before the peer binds); acceptable for a
/// bench that fails the run loudly if it happens, not for tests.
/// </summary>
internal static class FreePort
{
    public static int Next()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
