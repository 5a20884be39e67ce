namespace Meshy.Conf.Tests;

/// <summary>Finds files of the repository the tests were built from.</summary>
internal static class RepositoryFiles
{
    /// <summary>The directory holding Meshy.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Meshy.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"no Meshy.sln above {AppContext.BaseDirectory}");
    }
}
