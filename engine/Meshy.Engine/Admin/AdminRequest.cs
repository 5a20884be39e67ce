namespace Meshy.Engine.Admin;

/// <summary>One parsed admin request: method, path (without query), query string and body.</summary>
public sealed record AdminRequest(string Method, string Path, string Query, ReadOnlyMemory<byte> Body);
