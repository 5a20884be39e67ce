using System.Net;
using System.Security.Cryptography;

namespace Meshy.Filters.Tests.Mirror;

/// <summary>
/// A request body of <c>length</c> pseudo-random bytes generated while it is sent (never held whole), with
/// its SHA-256 computed on the way.
/// </summary>
internal sealed class GeneratedContent : HttpContent
{
    private readonly long _length;
    private readonly int _seed;

    public GeneratedContent(long length, int seed = 7)
    {
        _length = length;
        _seed = seed;
        Headers.ContentLength = length;
    }

    /// <summary>SHA-256 of what was sent, once sending finished.</summary>
    public byte[]? Hash { get; private set; }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var random = new Random(_seed);
        byte[] block = new byte[64 * 1024];
        for (long sent = 0; sent < _length; sent += block.Length)
        {
            int count = (int)Math.Min(block.Length, _length - sent);
            random.NextBytes(block);
            hash.AppendData(block, 0, count);
            await stream.WriteAsync(block.AsMemory(0, count));
        }
        Hash = hash.GetHashAndReset();
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }
}
