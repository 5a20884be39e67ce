namespace Meshy.Engine.Admin;

/// <summary>One admin endpoint: method, exact path, handler and a line for the index page.</summary>
public sealed record AdminRoute(string Method, string Path, string Description, Func<AdminRequest, CancellationToken, ValueTask<AdminResponse>> Handler);
