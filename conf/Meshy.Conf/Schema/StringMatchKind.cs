namespace Meshy.Conf.Schema;

/// <summary>How a path, header or query value is compared.</summary>
public enum StringMatchKind
{
    /// <summary><c>exact</c>: the whole value equals the text (case-sensitive).</summary>
    Exact,
    /// <summary><c>prefix</c>: the value starts with the text (case-sensitive).</summary>
    Prefix,
    /// <summary><c>regex</c>: the whole value matches the regular expression (full match, linear-time engine).</summary>
    Regex,
    /// <summary><c>present = true</c>: the header or parameter exists, whatever its value.</summary>
    Present,
    /// <summary><c>present = false</c>: the header or parameter does not exist.</summary>
    Absent,
}
