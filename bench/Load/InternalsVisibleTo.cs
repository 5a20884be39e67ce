using System.Runtime.CompilerServices;

// The report builder is tested from the CLI test project (tests/Meshy.Cli.Tests/Bench). Declared
// here rather than in Meshy.Bench.csproj so the bench suite stays self-contained in bench/Load.
[assembly: InternalsVisibleTo("Meshy.Cli.Tests")]
