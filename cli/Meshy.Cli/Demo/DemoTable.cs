namespace Meshy.Cli.Demo;

/// <summary>A small result table of a tour step: a caption, column names and rows of text.</summary>
internal sealed record DemoTable(string Caption, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows);
