using Tomlyn.Syntax;

namespace Meshy.Conf.Loading;

/// <summary>
/// Turns Tomlyn's syntax tree (tables, arrays of tables and dotted keys as written) into nested
/// <see cref="TomlTableNode"/>s with a 1-based position for every key and value.
/// </summary>
/// <remarks>
/// Runs only on a document Tomlyn parsed and validated without errors, so redefinitions and type
/// clashes (<c>a = 1</c> then <c>[a]</c>) were already reported; any left are skipped, never thrown.
/// </remarks>
internal static class TomlTreeBuilder
{
    public static TomlTableNode Build(DocumentSyntax document)
    {
        var root = new TomlTableNode(SourcePosition.Start);
        foreach (KeyValueSyntax keyValue in document.KeyValues)
        {
            AddKeyValue(root, keyValue);
        }
        foreach (TableSyntaxBase table in document.Tables)
        {
            if (table.Name is null)
            {
                continue;
            }
            List<(string Name, SourcePosition Position)> parts = KeyParts(table.Name);
            SourcePosition header = ToPosition(table.Span.Start);
            TomlTableNode target = table is TableArraySyntax
                ? OpenTableArrayElement(root, parts, header)
                : OpenTable(root, parts, header);
            foreach (KeyValueSyntax keyValue in table.Items)
            {
                AddKeyValue(target, keyValue);
            }
        }
        return root;
    }

    /// <summary>Tomlyn positions are zero-based; ours (and every printed one) are 1-based.</summary>
    public static SourcePosition ToPosition(TextPosition position) => new(position.Line + 1, position.Column + 1);

    /// <summary>The parts of a possibly dotted key with where each was written.</summary>
    public static List<(string Name, SourcePosition Position)> KeyParts(KeySyntax key)
    {
        var parts = new List<(string, SourcePosition)>();
        if (key.Key is { } first)
        {
            parts.Add((KeyName(first), ToPosition(first.Span.Start)));
        }
        foreach (DottedKeyItemSyntax dotted in key.DotKeys)
        {
            if (dotted.Key is { } part)
            {
                parts.Add((KeyName(part), ToPosition(part.Span.Start)));
            }
        }
        return parts;
    }

    private static string KeyName(BareKeyOrStringValueSyntax key) => key switch
    {
        BareKeySyntax bare => bare.Key?.Text ?? "",
        StringValueSyntax quoted => quoted.Value ?? "",
        _ => "",
    };

    // [a.b.c]: walk a and b (creating implicit tables), then open or create c.
    private static TomlTableNode OpenTable(TomlTableNode root, List<(string Name, SourcePosition Position)> parts, SourcePosition header)
    {
        TomlTableNode current = Walk(root, parts);
        (string name, SourcePosition keyPosition) = parts[^1];
        if (current.TryGet(name, out TomlEntry existing))
        {
            if (existing.Value is TomlTableNode table)
            {
                // An implicit table ([a.b.c] before [a.b]) now gets its header as its position.
                table.Position = header;
                return table;
            }
            return new TomlTableNode(header);
        }
        var created = new TomlTableNode(header);
        current.Add(new TomlEntry(name, keyPosition, created));
        return created;
    }

    // [[a.b]]: walk a, then append a new table to the array b (creating it on first use).
    private static TomlTableNode OpenTableArrayElement(TomlTableNode root, List<(string Name, SourcePosition Position)> parts, SourcePosition header)
    {
        TomlTableNode current = Walk(root, parts);
        (string name, SourcePosition keyPosition) = parts[^1];
        TomlArrayNode array;
        if (current.TryGet(name, out TomlEntry existing))
        {
            if (existing.Value is not TomlArrayNode { IsTableArray: true } found)
            {
                return new TomlTableNode(header);
            }
            array = found;
        }
        else
        {
            array = new TomlArrayNode(header, isTableArray: true);
            current.Add(new TomlEntry(name, keyPosition, array));
        }
        var element = new TomlTableNode(header);
        array.Items.Add(element);
        return element;
    }

    // Descends every part but the last; an array of tables stands for its last element (TOML's rule).
    private static TomlTableNode Walk(TomlTableNode table, List<(string Name, SourcePosition Position)> parts)
    {
        TomlTableNode current = table;
        for (int i = 0; i < parts.Count - 1; i++)
        {
            (string name, SourcePosition position) = parts[i];
            if (!current.TryGet(name, out TomlEntry entry))
            {
                var created = new TomlTableNode(position);
                current.Add(new TomlEntry(name, position, created));
                current = created;
                continue;
            }
            current = entry.Value switch
            {
                TomlTableNode child => child,
                TomlArrayNode { IsTableArray: true, Items: [.., TomlTableNode last] } => last,
                _ => new TomlTableNode(position),
            };
        }
        return current;
    }

    private static void AddKeyValue(TomlTableNode table, KeyValueSyntax keyValue)
    {
        if (keyValue.Key is null || keyValue.Value is null)
        {
            return;
        }
        List<(string Name, SourcePosition Position)> parts = KeyParts(keyValue.Key);
        if (parts.Count == 0)
        {
            return;
        }
        TomlNode? value = Convert(keyValue.Value);
        if (value is null)
        {
            return;
        }
        TomlTableNode parent = Walk(table, parts);
        (string name, SourcePosition keyPosition) = parts[^1];
        parent.Add(new TomlEntry(name, keyPosition, value));
    }

    private static TomlNode? Convert(ValueSyntax value)
    {
        SourcePosition position = ToPosition(value.Span.Start);
        switch (value)
        {
            case StringValueSyntax text:
                return new TomlScalarNode(position, TomlScalarKind.String, text.Value ?? "", text.Token?.Text ?? "");
            case IntegerValueSyntax integer:
                return new TomlScalarNode(position, TomlScalarKind.Integer, integer.Value, integer.Token?.Text ?? integer.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            case FloatValueSyntax number:
                return new TomlScalarNode(position, TomlScalarKind.Float, number.Value, number.Token?.Text ?? number.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            case BooleanValueSyntax boolean:
                return new TomlScalarNode(position, TomlScalarKind.Boolean, boolean.Value, boolean.Value ? "true" : "false");
            case DateTimeValueSyntax dateTime:
                string dateText = dateTime.Token?.Text ?? "";
                return new TomlScalarNode(position, TomlScalarKind.DateTime, dateText, dateText);
            case ArraySyntax array:
                var arrayNode = new TomlArrayNode(position, isTableArray: false);
                foreach (ArrayItemSyntax item in array.Items)
                {
                    if (item.Value is not null && Convert(item.Value) is { } converted)
                    {
                        arrayNode.Items.Add(converted);
                    }
                }
                return arrayNode;
            case InlineTableSyntax inline:
                var tableNode = new TomlTableNode(position);
                foreach (InlineTableItemSyntax item in inline.Items)
                {
                    if (item.KeyValue is not null)
                    {
                        AddKeyValue(tableNode, item.KeyValue);
                    }
                }
                return tableNode;
            default:
                return null;
        }
    }
}
