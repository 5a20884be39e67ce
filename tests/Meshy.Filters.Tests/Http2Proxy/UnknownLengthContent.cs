using System.Net;

namespace Meshy.Filters.Tests.Http2Proxy;

/// <summary>Request content HttpClient cannot measure: sent without content-length, written in 16 KiB pieces.</summary>
internal sealed class UnknownLengthContent(byte[] payload) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        for (int offset = 0; offset < payload.Length; offset += 16 * 1024)
        {
            await stream.WriteAsync(payload.AsMemory(offset, Math.Min(16 * 1024, payload.Length - offset)));
            await stream.FlushAsync();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
