using Meshy.Conf.Loading;

namespace Meshy.Conf.Tests;

public sealed class ConfigFilesTests
{
    /// <summary>Every .toml file under conf/, relative to the repository root.</summary>
    public static TheoryData<string> TomlFiles()
    {
        var data = new TheoryData<string>();
        string conf = Path.Combine(RepositoryFiles.Root, "conf");
        foreach (string file in Directory.EnumerateFiles(conf, "*.toml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(RepositoryFiles.Root, file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(TomlFiles))]
    public void LoadFile_ShippedConfig_HasNoDiagnostics(string relativePath)
    {
        ConfigLoadResult result = ConfigLoader.LoadFile(Path.Combine(RepositoryFiles.Root, relativePath));

        Assert.Empty(result.Diagnostics.Select(d => d.ToString()));
        Assert.True(result.Success);
    }

    [Fact]
    public void LoadText_ReadmeCompleteExample_HasNoDiagnostics()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "conf", "README.md"));
        int section = readme.IndexOf("## A complete example", StringComparison.Ordinal);
        Assert.True(section >= 0, "conf/README.md lost its complete example");
        int start = readme.IndexOf("```toml\n", section, StringComparison.Ordinal) + "```toml\n".Length;
        int end = readme.IndexOf("```", start, StringComparison.Ordinal);

        ConfigLoadResult result = ConfigLoader.LoadText(readme[start..end], "conf/README.md");

        Assert.Empty(result.Diagnostics.Select(d => d.ToString()));
        Assert.Equal(2, result.Config!.Listeners.Length);
    }

    [Fact]
    public void TomlFiles_Repository_IncludesTheDefaultAndTheExamples()
    {
        string[] files = [.. TomlFiles().Cast<object[]>().Select(row => ((string)row[0]).Replace('\\', '/'))];

        Assert.Contains("conf/meshy.toml", files);
        Assert.Contains("conf/examples/canary.toml", files);
        Assert.Contains("conf/examples/resilience.toml", files);
        Assert.Contains("conf/examples/sidecar.toml", files);
    }
}
