using System.Text;

namespace Meshy.Engine.Admin;

/// <summary>An admin answer: status, content type and body bytes.</summary>
public sealed record AdminResponse(int Status, string ContentType, ReadOnlyMemory<byte> Body)
{
    /// <summary>A UTF-8 text answer.</summary>
    public static AdminResponse Text(int status, string text, string contentType = "text/plain; charset=utf-8") =>
        new(status, contentType, Encoding.UTF8.GetBytes(text));

    /// <summary>A JSON answer.</summary>
    public static AdminResponse Json(int status, string json) => Text(status, json, "application/json");
}
