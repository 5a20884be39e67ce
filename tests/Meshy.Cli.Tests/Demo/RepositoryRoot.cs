namespace Meshy.Cli.Tests.Demo;

/// <summary>The directory holding Meshy.sln, found by walking up from the test binaries.</summary>
internal static class RepositoryRoot
{
    public static string Path
    {
        get
        {
            DirectoryInfo? directory = new(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "Meshy.sln")))
            {
                directory = directory.Parent;
            }
            return directory?.FullName ?? throw new InvalidOperationException("Meshy.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
