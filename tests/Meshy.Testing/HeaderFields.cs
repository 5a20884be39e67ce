using Meshy.Engine.Http;

namespace Meshy.Testing;

/// <summary>A header list's live fields as text, in order, for assertions.</summary>
public static class HeaderFields
{
    public static List<(string Name, string Value)> Of(HttpHeaderList list)
    {
        var fields = new List<(string, string)>();
        for (int i = 0; i < list.SlotCount; i++)
        {
            if (!list.IsRemoved(i))
            {
                fields.Add((list.GetNameString(i), list.GetValueString(i)));
            }
        }
        return fields;
    }
}
