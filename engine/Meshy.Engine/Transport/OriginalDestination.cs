using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Meshy.Engine.Runtime;
using Microsoft.Extensions.Logging;

namespace Meshy.Engine.Transport;

/// <summary>
/// The destination a connection had before an iptables <c>REDIRECT</c> (or <c>DNAT</c>) rewrote it to
/// one of Meshy's listeners, read back from conntrack with <c>getsockopt(SO_ORIGINAL_DST)</c>.
/// </summary>
/// <remarks>
/// Linux only: the option is netfilter's (<c>linux/netfilter_ipv4.h</c>: <c>SO_ORIGINAL_DST 80</c> at
/// level <c>SOL_IP</c>; <c>linux/netfilter_ipv6/ip6_tables.h</c>: <c>IP6T_SO_ORIGINAL_DST 80</c> at
/// level <c>SOL_IPV6</c>). Istio's and Envoy's <c>original_dst</c> listener filter read it the same way.
/// </remarks>
public static partial class OriginalDestination
{
    // linux/in.h, linux/in6.h, linux/netfilter_ipv4.h, linux/netfilter_ipv6/ip6_tables.h
    private const int SolIp = 0;
    private const int SolIpv6 = 41;
    private const int SoOriginalDst = 80;
    private const int Ip6tSoOriginalDst = 80;
    private const ushort AfInet = 2;
    private const ushort AfInet6 = 10;

    // sizeof(struct sockaddr_in) and sizeof(struct sockaddr_in6)
    private const int SockaddrInLength = 16;
    private const int SockaddrIn6Length = 28;

    /// <summary>True where <see cref="TryGet"/> can work at all (Linux).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>
    /// Reads the original destination of the accepted <paramref name="socket"/>. False when the platform
    /// has no such option, or conntrack knows nothing about the connection (no NAT module, or the
    /// socket is not a NATed TCP connection). Allocates only the returned endpoint.
    /// </summary>
    public static unsafe bool TryGet(Socket socket, out IPEndPoint destination)
    {
        destination = null!;
        if (!IsSupported)
        {
            return false;
        }
        // A dual-mode IPv6 socket carries IPv4 connections as mapped addresses: conntrack files them
        // under IPv4, so the IPv4 option is the one that answers.
        bool ipv4 = socket.AddressFamily == AddressFamily.InterNetwork
            || (socket.RemoteEndPoint is IPEndPoint { Address.IsIPv4MappedToIPv6: true });
        Span<byte> address = stackalloc byte[SockaddrIn6Length];
        address.Clear();
        uint length = (uint)(ipv4 ? SockaddrInLength : SockaddrIn6Length);
        int fd = (int)socket.Handle;
        int result;
        fixed (byte* buffer = address)
        {
            result = ipv4
                ? GetSockOpt(fd, SolIp, SoOriginalDst, buffer, &length)
                : GetSockOpt(fd, SolIpv6, Ip6tSoOriginalDst, buffer, &length);
        }
        if (result != 0)
        {
            return false;
        }
        return TryParse(address[..(int)length], out destination);
    }

    /// <summary>
    /// Decodes a <c>struct sockaddr_in</c> or <c>struct sockaddr_in6</c> as the kernel fills it:
    /// <code>
    ///   sockaddr_in   | family (2, host order) | port (2, network order) | addr (4)  | zero (8)              |
    ///   sockaddr_in6  | family (2, host order) | port (2, network order) | flowinfo (4) | addr (16) | scope (4) |
    /// </code>
    /// </summary>
    internal static bool TryParse(ReadOnlySpan<byte> sockaddr, out IPEndPoint destination)
    {
        destination = null!;
        if (sockaddr.Length < 4)
        {
            return false;
        }
        ushort family = BitConverter.IsLittleEndian
            ? BinaryPrimitives.ReadUInt16LittleEndian(sockaddr)
            : BinaryPrimitives.ReadUInt16BigEndian(sockaddr);
        int port = BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]);
        if (family == AfInet && sockaddr.Length >= 8)
        {
            destination = new IPEndPoint(new IPAddress(sockaddr.Slice(4, 4)), port);
            return true;
        }
        if (family == AfInet6 && sockaddr.Length >= 24)
        {
            uint scope = sockaddr.Length >= SockaddrIn6Length
                ? (BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(sockaddr[24..]) : BinaryPrimitives.ReadUInt32BigEndian(sockaddr[24..]))
                : 0;
            destination = new IPEndPoint(new IPAddress(sockaddr.Slice(8, 16), scope), port);
            return true;
        }
        return false;
    }

    /// <summary>
    /// True when <paramref name="destination"/> is the listener itself: the connection was not redirected
    /// (a client dialled the listener directly) or it loops (Meshy's own upstream connection was
    /// redirected back to it). Either way proxying it would connect Meshy to itself.
    /// </summary>
    public static bool IsSelf(IPEndPoint destination, IPEndPoint localEndPoint, IPEndPoint listenerEndPoint)
    {
        IPAddress address = Normalize(destination.Address);
        if (destination.Port == localEndPoint.Port && address.Equals(Normalize(localEndPoint.Address)))
        {
            return true;
        }
        if (destination.Port != listenerEndPoint.Port)
        {
            return false;
        }
        IPAddress bound = Normalize(listenerEndPoint.Address);
        // A wildcard listener serves every local address; a loopback original destination on its port is itself.
        return address.Equals(bound)
            || ((bound.Equals(IPAddress.Any) || bound.Equals(IPAddress.IPv6Any)) && IPAddress.IsLoopback(address));
    }

    /// <summary>
    /// The original destination of a connection accepted on an <c>original_destination</c> listener, or
    /// null (logged) when it has none or it is the listener itself: such a connection must be closed.
    /// </summary>
    internal static IPEndPoint? Resolve(Socket socket, IPEndPoint localEndPoint, ListenerSnapshot listener, ILogger logger, long connectionId)
    {
        if (!TryGet(socket, out IPEndPoint destination))
        {
            OriginalDestinationLog.Missing(logger, listener.Name, connectionId, (IPEndPoint)socket.RemoteEndPoint!);
            return null;
        }
        if (IsSelf(destination, localEndPoint, listener.EndPoint))
        {
            OriginalDestinationLog.Loop(logger, listener.Name, connectionId, (IPEndPoint)socket.RemoteEndPoint!, destination);
            return null;
        }
        return destination;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    private static unsafe partial int GetSockOpt(int socket, int level, int optionName, byte* optionValue, uint* optionLength);
}
