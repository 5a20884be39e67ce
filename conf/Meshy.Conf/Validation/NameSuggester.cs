namespace Meshy.Conf.Validation;

/// <summary>Finds the known name nearest to a misspelt one (edit distance, case-insensitive).</summary>
internal static class NameSuggester
{
    /// <summary>
    /// The nearest candidate when it is close enough to be a likely typo: none but case for names of one or
    /// two characters, one edit up to four, two up to eleven, three from twelve on. Null otherwise.
    /// </summary>
    public static string? Suggest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in candidates)
        {
            int distance = Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        int allowed = name.Length switch
        {
            <= 2 => 0,
            <= 4 => 1,
            < 12 => 2,
            _ => 3,
        };
        return best is not null && bestDistance <= allowed && best != name ? best : null;
    }

    /// <summary>
    /// Edit distance counting insertions, deletions, substitutions and swaps of adjacent characters
    /// (optimal string alignment): "wbe" is one edit from "web", as a typist would count it.
    /// </summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(d[i - 1, j - 1] + cost, Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1));
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}
