namespace Meshy.Integration.Tests;

/// <summary>A config file in a fresh temp folder that tests rewrite to trigger reloads.</summary>
internal sealed class TempConfig : IDisposable
{
    private readonly DirectoryInfo _directory = System.IO.Directory.CreateTempSubdirectory("meshy-it-");

    public TempConfig(string toml)
    {
        Path = System.IO.Path.Combine(_directory.FullName, "meshy.toml");
        File.WriteAllText(Path, toml);
    }

    public string Path { get; }

    public string Directory => _directory.FullName;

    /// <summary>Replaces the file the way an editor does: write a sibling, then rename over.</summary>
    public void Rewrite(string toml)
    {
        string next = Path + ".next";
        File.WriteAllText(next, toml);
        File.Move(next, Path, overwrite: true);
    }

    public void Dispose()
    {
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
