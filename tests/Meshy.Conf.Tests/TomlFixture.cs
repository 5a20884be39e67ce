using Meshy.Conf.Loading;
using Meshy.Conf.Schema;

namespace Meshy.Conf.Tests;

/// <summary>Loads TOML text as <c>meshy.toml</c> and turns the outcome into assertable values.</summary>
internal static class TomlFixture
{
    public const string FileName = "meshy.toml";

    /// <summary>A cluster every snippet that needs one can append.</summary>
    public const string Cluster = """

        [[clusters]]
        name = "web"
        endpoints = [{ address = "10.0.0.1:80", labels = { version = "v1" } }]
        subsets = [{ name = "v1", labels = { version = "v1" } }]
        """;

    /// <summary>The diagnostics as printed lines; asserts the load failed and produced no config.</summary>
    public static string[] Diagnose(string toml)
    {
        ConfigLoadResult result = ConfigLoader.LoadText(toml, FileName);
        Assert.False(result.Success);
        Assert.Null(result.Config);
        return [.. result.Diagnostics.Select(d => d.ToString())];
    }

    /// <summary>The config; fails the test with every diagnostic when there is any.</summary>
    public static MeshyConfig Load(string toml)
    {
        ConfigLoadResult result = ConfigLoader.LoadText(toml, FileName);
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Diagnostics));
        return result.Config;
    }

    /// <summary>
    /// <c>meshy.toml:LINE:COL</c> of the <paramref name="occurrence"/>-th <paramref name="marker"/> in
    /// <paramref name="toml"/>: an independent oracle for where a diagnostic must point.
    /// </summary>
    public static string At(string toml, string marker, int occurrence = 1)
    {
        int index = -1;
        for (int i = 0; i < occurrence; i++)
        {
            index = toml.IndexOf(marker, index + 1, StringComparison.Ordinal);
            Assert.True(index >= 0, $"marker '{marker}' #{occurrence} not in the snippet");
        }
        int line = 1 + toml.AsSpan(0, index).Count('\n');
        int lineStart = index == 0 ? 0 : toml.LastIndexOf('\n', index - 1) + 1;
        int column = index - lineStart + 1;
        return $"{FileName}:{line}:{column}";
    }
}
