using System.Diagnostics.CodeAnalysis;

namespace Meshy.Filters.Http1;

/// <summary>The peer ended the connection before the end of a message body it had framed.</summary>
internal sealed class Http1BodyTruncatedException() : IOException("the connection ended before the end of the message body")
{
    [DoesNotReturn]
    public static void Throw() => throw new Http1BodyTruncatedException();
}
