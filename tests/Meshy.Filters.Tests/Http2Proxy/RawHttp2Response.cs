using Meshy.Filters.Http2;

namespace Meshy.Filters.Tests.Http2Proxy;

/// <summary>A response read from a raw connection: status, fields, body, trailers, or the reset that ended it.</summary>
internal sealed record RawHttp2Response(int Status, List<(string Name, string Value)> Headers, byte[] Body, List<(string Name, string Value)> Trailers, Http2ErrorCode? ResetCode)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => h.Name == name).Value;
}
