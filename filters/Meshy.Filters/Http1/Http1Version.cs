namespace Meshy.Filters.Http1;

/// <summary>The two HTTP versions this codec speaks (RFC 9112 §2.3); anything else is rejected with 505.</summary>
internal enum Http1Version : byte
{
    Http10,
    Http11,
}
