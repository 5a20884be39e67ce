namespace Meshy.Integration.Tests;

/// <summary>The checkout the tests run from.</summary>
internal static class RepositoryRoot
{
    /// <summary>The directory holding Meshy.sln, found by walking up from the test binaries.</summary>
    public static string Find()
    {
        DirectoryInfo? directory = new(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Meshy.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Meshy.sln not found above " + AppContext.BaseDirectory);
    }
}
