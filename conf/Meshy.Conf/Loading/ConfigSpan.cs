namespace Meshy.Conf.Loading;

/// <summary>
/// Where one key path of the config file was written: its key and its value. For a table that was
/// opened by a <c>[header]</c> or <c>[[header]]</c>, both point at the header.
/// </summary>
/// <param name="Key">The key (for a dotted key, the part that names this path).</param>
/// <param name="Value">The first character of the value.</param>
public readonly record struct ConfigSpan(SourcePosition Key, SourcePosition Value);
