namespace Meshy.Conf.Loading;

/// <summary>The TOML type of a <see cref="TomlScalarNode"/>.</summary>
internal enum TomlScalarKind
{
    String,
    Integer,
    Float,
    Boolean,
    DateTime,
}
