using System.Buffers;
using System.Text;
using Meshy.Filters.Http1;
using Meshy.Testing;

namespace Meshy.Filters.Tests.Http1;

/// <summary>Turns parsed heads into comparable text, and runs the parser the way a connection does.</summary>
internal static class Http1TestText
{
    public static string Latin1(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    /// <summary>One line with everything the request head derived, fields excluded.</summary>
    public static string Summary(Http1RequestHead head)
    {
        Http1BodyFraming body = head.GetBodyFraming();
        var text = new StringBuilder()
            .Append(Latin1(head.MethodBytes)).Append(' ').Append(head.Method).Append(' ').Append(head.TargetForm)
            .Append(' ').Append(Latin1(head.Target))
            .Append(" path=").Append(Latin1(head.Path))
            .Append(" query=").Append(head.HasQuery ? Latin1(head.Query) : "-")
            .Append(" auth=").Append(Latin1(head.TargetAuthority))
            .Append(' ').Append(head.Version)
            .Append(" host=").Append(Latin1(head.Host))
            .Append(" cl=").Append(head.ContentLength)
            .Append(" te=").Append(head.HasTransferEncoding ? (head.IsChunked ? "chunked" : "other") : "-")
            .Append(" conn=").Append(head.ConnectionOptions)
            .Append(" ka=").Append(head.KeepAlive)
            .Append(" body=").Append(body.Kind).Append(':').Append(body.Length);
        if (head.ExpectsContinue)
        {
            text.Append(" expect-continue");
        }
        if (head.AcceptsTrailers)
        {
            text.Append(" te-trailers");
        }
        return text.ToString();
    }

    /// <summary>One line for a response head, fields excluded.</summary>
    public static string Summary(Http1ResponseHead head) =>
        $"{head.Version} {head.StatusCode} reason={Latin1(head.Reason)} cl={head.ContentLength} " +
        $"te={(head.HasTransferEncoding ? (head.IsChunked ? "chunked" : "other") : "-")} conn={head.ConnectionOptions} ka={head.KeepAlive}";

    /// <summary>Every field as <c>name=value(Known)</c>, in order.</summary>
    public static string Fields(Http1HeaderStore store)
    {
        var text = new StringBuilder();
        for (int i = 0; i < store.Count; i++)
        {
            text.Append(Latin1(store.GetName(i))).Append('=').Append(Latin1(store.GetValue(i)))
                .Append('(').Append(store.GetKnownHeader(i)).Append(")|");
        }
        return text.ToString();
    }

    /// <summary>Everything: summary, fields and the raw head copy.</summary>
    public static string Full(Http1RequestHead head) =>
        Summary(head) + "\n" + Fields(head.Headers) + "\n" + Latin1(head.Headers.Raw) + "\nlength=" + head.HeadLength;

    public static string Full(Http1ResponseHead head) =>
        Summary(head) + "\n" + Fields(head.Headers) + "\n" + Latin1(head.Headers.Raw) + "\nlength=" + head.HeadLength;

    public static (bool Done, long Consumed) ParseRequest(Http1Parser parser, ReadOnlySequence<byte> input, Http1RequestHead head)
    {
        var reader = new SequenceReader<byte>(input);
        bool done = parser.TryParseRequestHead(ref reader, head);
        return (done, reader.Consumed);
    }

    public static (bool Done, long Consumed) ParseResponse(Http1Parser parser, ReadOnlySequence<byte> input, Http1ResponseHead head)
    {
        var reader = new SequenceReader<byte>(input);
        bool done = parser.TryParseResponseHead(ref reader, head);
        return (done, reader.Consumed);
    }

    /// <summary>The shapes of <see cref="SequenceShapes"/> plus a cut into two segments at every position.</summary>
    public static IEnumerable<(string Name, ReadOnlySequence<byte> Input)> AllShapes(byte[] bytes)
    {
        foreach (SequenceShapes.Shape shape in SequenceShapes.All)
        {
            yield return (shape.ToString(), SequenceShapes.Create(bytes, shape));
        }
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            yield return ($"cut at {cut}", SequenceShapes.SplitAt(bytes, cut));
        }
    }
}
