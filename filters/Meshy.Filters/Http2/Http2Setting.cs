namespace Meshy.Filters.Http2;

/// <summary>One SETTINGS parameter: a 16-bit identifier and a 32-bit value (RFC 9113 §6.5.1).</summary>
internal readonly record struct Http2Setting(Http2SettingId Id, uint Value);
