using Meshy.Filters.Http2.Hpack;

namespace Meshy.Filters.Tests.Http2.Hpack;

public sealed class HpackStaticTableTests
{
    [Fact]
    public void Find_EveryEntry_ResolvesToItsFirstNameAndItsOwnIndexWhenItHasAValue()
    {
        for (int index = 1; index <= HpackStaticTable.Count; index++)
        {
            ReadOnlySpan<byte> name = HpackStaticTable.GetName(index);
            ReadOnlySpan<byte> value = HpackStaticTable.GetValue(index);
            int firstWithName = 1;
            while (!HpackStaticTable.GetName(firstWithName).SequenceEqual(name))
            {
                firstWithName++;
            }

            int found = HpackStaticTable.Find(name, value, out int nameIndex);

            Assert.Equal(firstWithName, nameIndex);
            Assert.Equal(value.IsEmpty ? 0 : index, found);
        }
    }

    [Theory]
    [InlineData("x-unknown")]
    [InlineData("")]
    [InlineData("Host")]                   // lookups are for lowercase names
    [InlineData("content-xength")]         // same length, first, middle and last bytes as content-length
    public void Find_UnknownName_ReturnsZero(string name)
    {
        byte[] bytes = System.Text.Encoding.ASCII.GetBytes(name);

        Assert.Equal(0, HpackStaticTable.Find(bytes, "x"u8, out int nameIndex));
        Assert.Equal(0, nameIndex);
    }

    [Fact]
    public void Find_KnownNameWithOtherValue_GivesTheNameOnly()
    {
        Assert.Equal(0, HpackStaticTable.Find(":status"u8, "418"u8, out int nameIndex));
        Assert.Equal(8, nameIndex);
    }
}
