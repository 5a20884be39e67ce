using Meshy.Testing;

namespace Meshy.Integration.Tests;

/// <summary><c>meshy validate</c> as users script it: one line on stdout when good, every error on stderr when bad.</summary>
public sealed class ValidateTests
{
    public static TheoryData<string> ShippedConfigs()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Find(), "conf"), "*.toml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(RepositoryRoot.Find(), file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ShippedConfigs))]
    public async Task Validate_ShippedConfig_PrintsExactlyOneSummaryLineAndExitsZero(string relativePath)
    {
        (int exitCode, string stdout, string stderr) = await MeshyProcess.RunToEndAsync(["validate", "--config", relativePath], RepositoryRoot.Find());

        Assert.True(exitCode == 0, stderr);
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(relativePath)}: ok: \d+ listeners?, \d+ route tables?, \d+ clusters?, \d+ endpoints?$", lines[0]);
        Assert.Equal("", stderr);
    }

    [Fact]
    public async Task Validate_FileWithSeveralErrors_PrintsEachAsFileLineColKeyPathAndExitsOne()
    {
        using var config = new TempConfig("""
            [runtime]
            drain_timeout = "forever"

            [[clusters]]
            name = "db"
            conect_timeout = "1s"
            endpoints = [{ address = "10.0.0.9:5432", weight = -1 }]
            """);

        (int exitCode, string stdout, string stderr) = await MeshyProcess.RunToEndAsync(["validate", "--config", config.Path]);

        Assert.Equal(1, exitCode);
        Assert.Equal("", stdout);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith($"{config.Path}:2:17: runtime.drain_timeout: ", lines[0]);
        Assert.Equal($"{config.Path}:6:1: clusters[0].conect_timeout: unknown key (did you mean connect_timeout?)", lines[1]);
        Assert.StartsWith($"{config.Path}:7:52: clusters[0].endpoints[0].weight: ", lines[2]);
    }

    [Fact]
    public async Task Validate_MissingFile_ExitsOne()
    {
        (int exitCode, string stdout, string stderr) = await MeshyProcess.RunToEndAsync(["validate", "--config", "no/such/file.toml"]);

        Assert.Equal(1, exitCode);
        Assert.Equal("", stdout);
        Assert.StartsWith("no/such/file.toml:1:1: ", stderr);
    }

    [Fact]
    public async Task Validate_UnknownCommand_IsAUsageErrorWithExitTwo()
    {
        (int exitCode, _, string stderr) = await MeshyProcess.RunToEndAsync(["frobnicate"]);

        Assert.Equal(2, exitCode);
        Assert.Contains("frobnicate", stderr);
    }
}
