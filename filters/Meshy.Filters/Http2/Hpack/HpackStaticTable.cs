namespace Meshy.Filters.Http2.Hpack;

/// <summary>
/// The 61 predefined fields of RFC 7541 Appendix A, indices 1..61, and the lookups the encoder needs.
/// </summary>
internal static class HpackStaticTable
{
    /// <summary>The number of entries; dynamic table indices start after it.</summary>
    public const int Count = 61;

    // Index 0 is unused so that the array index is the HPACK index.
    private static readonly (byte[] Name, byte[] Value)[] Entries =
    [
        ([], []),
        (":authority"u8.ToArray(), []),
        (":method"u8.ToArray(), "GET"u8.ToArray()),
        (":method"u8.ToArray(), "POST"u8.ToArray()),
        (":path"u8.ToArray(), "/"u8.ToArray()),
        (":path"u8.ToArray(), "/index.html"u8.ToArray()),
        (":scheme"u8.ToArray(), "http"u8.ToArray()),
        (":scheme"u8.ToArray(), "https"u8.ToArray()),
        (":status"u8.ToArray(), "200"u8.ToArray()),
        (":status"u8.ToArray(), "204"u8.ToArray()),
        (":status"u8.ToArray(), "206"u8.ToArray()),
        (":status"u8.ToArray(), "304"u8.ToArray()),
        (":status"u8.ToArray(), "400"u8.ToArray()),
        (":status"u8.ToArray(), "404"u8.ToArray()),
        (":status"u8.ToArray(), "500"u8.ToArray()),
        ("accept-charset"u8.ToArray(), []),
        ("accept-encoding"u8.ToArray(), "gzip, deflate"u8.ToArray()),
        ("accept-language"u8.ToArray(), []),
        ("accept-ranges"u8.ToArray(), []),
        ("accept"u8.ToArray(), []),
        ("access-control-allow-origin"u8.ToArray(), []),
        ("age"u8.ToArray(), []),
        ("allow"u8.ToArray(), []),
        ("authorization"u8.ToArray(), []),
        ("cache-control"u8.ToArray(), []),
        ("content-disposition"u8.ToArray(), []),
        ("content-encoding"u8.ToArray(), []),
        ("content-language"u8.ToArray(), []),
        ("content-length"u8.ToArray(), []),
        ("content-location"u8.ToArray(), []),
        ("content-range"u8.ToArray(), []),
        ("content-type"u8.ToArray(), []),
        ("cookie"u8.ToArray(), []),
        ("date"u8.ToArray(), []),
        ("etag"u8.ToArray(), []),
        ("expect"u8.ToArray(), []),
        ("expires"u8.ToArray(), []),
        ("from"u8.ToArray(), []),
        ("host"u8.ToArray(), []),
        ("if-match"u8.ToArray(), []),
        ("if-modified-since"u8.ToArray(), []),
        ("if-none-match"u8.ToArray(), []),
        ("if-range"u8.ToArray(), []),
        ("if-unmodified-since"u8.ToArray(), []),
        ("last-modified"u8.ToArray(), []),
        ("link"u8.ToArray(), []),
        ("location"u8.ToArray(), []),
        ("max-forwards"u8.ToArray(), []),
        ("proxy-authenticate"u8.ToArray(), []),
        ("proxy-authorization"u8.ToArray(), []),
        ("range"u8.ToArray(), []),
        ("referer"u8.ToArray(), []),
        ("refresh"u8.ToArray(), []),
        ("retry-after"u8.ToArray(), []),
        ("server"u8.ToArray(), []),
        ("set-cookie"u8.ToArray(), []),
        ("strict-transport-security"u8.ToArray(), []),
        ("transfer-encoding"u8.ToArray(), []),
        ("user-agent"u8.ToArray(), []),
        ("vary"u8.ToArray(), []),
        ("via"u8.ToArray(), []),
        ("www-authenticate"u8.ToArray(), []),
    ];

    // Open-addressing map from a name's key (HpackFormat.NameKey) to the first entry with that name.
    private const int SlotCount = 128;
    private static readonly (uint Key, int Index)[] NameSlots = BuildNameSlots();

    /// <summary>The name of entry <paramref name="index"/> (1..61).</summary>
    public static ReadOnlySpan<byte> GetName(int index) => Entries[index].Name;

    /// <summary>The value of entry <paramref name="index"/> (1..61); empty for name-only entries.</summary>
    public static ReadOnlySpan<byte> GetValue(int index) => Entries[index].Value;

    /// <summary>
    /// Looks up a lowercase name: returns the index of an entry with that name and value (0 when
    /// none) and sets <paramref name="nameIndex"/> to the first entry with that name (0 when none).
    /// </summary>
    public static int Find(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, out int nameIndex)
    {
        nameIndex = FindName(name);
        if (nameIndex == 0)
        {
            return 0;
        }
        // Entries with one name are consecutive (e.g. :status 200..500).
        for (int index = nameIndex; index <= Count && Entries[index].Name.AsSpan().SequenceEqual(name); index++)
        {
            byte[] entryValue = Entries[index].Value;
            if (entryValue.Length > 0 && value.SequenceEqual(entryValue))
            {
                return index;
            }
        }
        return 0;
    }

    /// <summary>The first entry named <paramref name="name"/> (lowercase), 0 when none.</summary>
    public static int FindName(ReadOnlySpan<byte> name)
    {
        uint key = HpackFormat.NameKey(name);
        for (int slot = (int)(Mix(key) & (SlotCount - 1)); ; slot = (slot + 1) & (SlotCount - 1))
        {
            (uint slotKey, int index) = NameSlots[slot];
            if (index == 0)
            {
                return 0;
            }
            if (slotKey == key && name.SequenceEqual(Entries[index].Name))
            {
                return index;
            }
        }
    }

    private static uint Mix(uint key) => (key * 0x9e3779b1u) >> 25;

    private static (uint Key, int Index)[] BuildNameSlots()
    {
        var slots = new (uint Key, int Index)[SlotCount];
        for (int index = 1; index <= Count; index++)
        {
            if (index > 1 && Entries[index].Name.AsSpan().SequenceEqual(Entries[index - 1].Name))
            {
                continue;                                   // only the first entry of each name
            }
            uint key = HpackFormat.NameKey(Entries[index].Name);
            int slot = (int)(Mix(key) & (SlotCount - 1));
            while (slots[slot].Index != 0)
            {
                slot = (slot + 1) & (SlotCount - 1);
            }
            slots[slot] = (key, index);
        }
        return slots;
    }
}
