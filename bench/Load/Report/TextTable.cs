using System.Text;

namespace Meshy.Bench.Load.Report;

/// <summary>A left-aligned plain-text table; a note row puts one sentence after its first cell.</summary>
internal sealed class TextTable(IReadOnlyList<string> header)
{
    private readonly List<(string[] Cells, string? Note)> _rows = [];

    public void AddRow(params string[] cells) => _rows.Add((cells, null));

    public void AddNote(string first, string note) => _rows.Add(([first], note));

    public void Render(StringBuilder output)
    {
        int columns = header.Count;
        int[] widths = new int[columns];
        for (int c = 0; c < columns; c++)
        {
            widths[c] = header[c].Length;
            foreach ((string[] cells, string? note) in _rows)
            {
                if (note is null && c < cells.Length)
                {
                    widths[c] = Math.Max(widths[c], cells[c].Length);
                }
                else if (c == 0)
                {
                    widths[c] = Math.Max(widths[c], cells[0].Length);
                }
            }
        }

        AppendLine(output, header, widths);
        foreach ((string[] cells, string? note) in _rows)
        {
            if (note is null)
            {
                AppendLine(output, cells, widths);
            }
            else
            {
                output.Append(cells[0].PadRight(widths[0] + 2)).Append(note).Append('\n');
            }
        }
    }

    private static void AppendLine(StringBuilder output, IReadOnlyList<string> cells, int[] widths)
    {
        var line = new StringBuilder();
        for (int c = 0; c < cells.Count; c++)
        {
            line.Append(c == cells.Count - 1 ? cells[c] : cells[c].PadRight(widths[c] + 2));
        }
        output.Append(line.ToString().TrimEnd()).Append('\n');
    }
}
