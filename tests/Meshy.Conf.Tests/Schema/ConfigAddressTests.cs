using System.Net;
using Meshy.Conf.Schema;

namespace Meshy.Conf.Tests.Schema;

public sealed class ConfigAddressTests
{
    [Theory]
    [InlineData("10.0.0.5:8080", "10.0.0.5", 8080, true)]
    [InlineData("[::1]:8080", "::1", 8080, true)]
    [InlineData("[fd00::1:2]:443", "fd00::1:2", 443, true)]
    [InlineData("db.internal:5432", "db.internal", 5432, false)]
    [InlineData("localhost:0", "localhost", 0, false)]
    [InlineData("a-b.c-d.example:65535", "a-b.c-d.example", 65535, false)]
    public void TryParse_ValidAddress_SplitsHostAndPort(string text, string host, int port, bool isIp)
    {
        Assert.True(ConfigAddress.TryParse(text, out ConfigAddress? address, out _));
        Assert.Equal(host, address.Host);
        Assert.Equal(port, address.Port);
        Assert.Equal(text, address.Text);
        Assert.Equal(isIp, address.IsIPAddress);
    }

    [Theory]
    [InlineData("10.0.0.5:8080", typeof(IPEndPoint))]
    [InlineData("[::1]:8080", typeof(IPEndPoint))]
    [InlineData("localhost:80", typeof(IPEndPoint))]
    [InlineData("db.internal:5432", typeof(DnsEndPoint))]
    public void ToEndPoint_ByHostKind_ResolvesOnlyNames(string text, Type expected)
    {
        Assert.True(ConfigAddress.TryParse(text, out ConfigAddress? address, out _));

        Assert.IsType(expected, address.ToEndPoint());
    }

    [Theory]
    [InlineData("-a.example:80")]
    [InlineData("a..b:80")]
    [InlineData("a_b:80")]
    [InlineData("host:")]
    [InlineData("host:-1")]
    [InlineData("[::1]")]
    [InlineData("[::1:80")]
    [InlineData("")]
    public void TryParse_Malformed_IsRejectedWithAReason(string text)
    {
        Assert.False(ConfigAddress.TryParse(text, out ConfigAddress? address, out string? error));
        Assert.Null(address);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void FromIPEndPoint_IPv6_BracketsTheText()
    {
        ConfigAddress address = ConfigAddress.FromIPEndPoint(new IPEndPoint(IPAddress.IPv6Loopback, 9901));

        Assert.Equal("[::1]:9901", address.Text);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 9901), address.ToEndPoint());
    }
}
