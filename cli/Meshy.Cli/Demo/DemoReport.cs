using System.Text;

namespace Meshy.Cli.Demo;

/// <summary>Prints the tour for people: per step its config change, its tables and its checks.</summary>
internal static class DemoReport
{
    public static void PrintStep(TextWriter output, DemoStepResult step)
    {
        var text = new StringBuilder();
        text.Append('\n').Append(step.Number).Append(". ").Append(step.Title).Append('\n');
        foreach (string line in step.Change.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            text.Append("   config: ").Append(line).Append('\n');
        }
        foreach (DemoTable table in step.Tables)
        {
            text.Append('\n');
            AppendTable(text, table);
        }
        text.Append('\n');
        foreach (DemoCheck check in step.Checks)
        {
            text.Append("   ").Append(check.Passed ? "ok      " : "FAILED  ").Append(check.Expectation).Append('\n');
        }
        output.Write(text.ToString());
        output.Flush();
    }

    private static void AppendTable(StringBuilder text, DemoTable table)
    {
        text.Append("   ").Append(table.Caption).Append('\n');
        List<IReadOnlyList<string>> rows = [table.Columns, .. table.Rows];
        int[] widths = new int[table.Columns.Count];
        foreach (IReadOnlyList<string> row in rows)
        {
            for (int i = 0; i < row.Count; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }
        // Numbers (counts, shares, milliseconds) are right-aligned so they line up by digit; text is left-aligned.
        bool[] numeric = [.. Enumerable.Range(0, widths.Length).Select(i => i > 0 && table.Rows.All(r => IsNumber(r[i])))];
        foreach (IReadOnlyList<string> row in rows)
        {
            text.Append("   ");
            for (int i = 0; i < row.Count; i++)
            {
                bool last = i == row.Count - 1;
                text.Append(numeric[i] ? row[i].PadLeft(widths[i]) : last ? row[i] : row[i].PadRight(widths[i]));
                if (!last)
                {
                    text.Append("  ");
                }
            }
            text.Append('\n');
        }
    }

    private static bool IsNumber(string cell) =>
        cell == "-" || double.TryParse(cell.EndsWith(" %", StringComparison.Ordinal) ? cell[..^2] : cell, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);
}
