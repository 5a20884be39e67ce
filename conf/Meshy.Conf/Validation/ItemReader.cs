using Meshy.Conf.Loading;

namespace Meshy.Conf.Validation;

/// <summary>Checks and converts one value at <paramref name="path"/>; false after reporting why it is wrong.</summary>
internal delegate bool ItemReader<T>(TomlNode node, string path, out T? value);
