namespace Meshy.Filters.Observability.AccessLog;

/// <summary>One formatted line waiting for the writer: a pooled buffer (returned once written) and its length.</summary>
internal readonly record struct AccessLogLine(byte[] Buffer, int Length);
