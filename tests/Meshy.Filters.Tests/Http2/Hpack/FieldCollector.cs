using System.Text;
using Meshy.Filters.Http2.Hpack;

namespace Meshy.Filters.Tests.Http2.Hpack;

/// <summary>Collects decoded fields as strings.</summary>
internal sealed class FieldCollector : IHpackFieldSink
{
    public List<(string Name, string Value, bool NeverIndexed)> Fields { get; } = [];

    public void OnField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed) =>
        Fields.Add((Encoding.Latin1.GetString(name), Encoding.Latin1.GetString(value), neverIndexed));
}
