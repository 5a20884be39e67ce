namespace Meshy.Bench.Load.Processes;

/// <summary>The Meshy checkout (the directory holding Meshy.sln), searched upwards from the working directory and from this assembly.</summary>
internal static class RepoRoot
{
    public static string? Find()
    {
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (DirectoryInfo? directory = new(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Meshy.sln")))
                {
                    return directory.FullName;
                }
            }
        }
        return null;
    }
}
