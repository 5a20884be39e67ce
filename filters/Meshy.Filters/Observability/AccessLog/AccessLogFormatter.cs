using System.Buffers;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Meshy.Engine.Http;
using Meshy.Engine.Pipeline;
using Meshy.Filters.Observability.Tracing;

namespace Meshy.Filters.Observability.AccessLog;

/// <summary>
/// Formats one JSON line per HTTP exchange or TCP session with the snapshot's <c>fields</c>, in a
/// per-thread buffer reused from line to line, and hands it to the <see cref="AccessLogWriter"/>.
/// A field without a value for this line (no route on a 404 <c>NR</c>) is written as null; HTTP-only
/// fields are left out of TCP lines.
/// </summary>
/// <remarks>
/// Allocation: none per line in steady state. The JSON writer and its buffer are per thread and reset
/// per line; strings come from the snapshot (names) or are written from the request's bytes; the line is
/// copied into a slot of the writer's ring whose buffer is kept from line to line.
/// </remarks>
internal sealed class AccessLogFormatter(ImmutableArray<AccessLogField> fields, AccessLogWriter writer)
{
    private static readonly JsonWriterOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // readable paths; lines are not embedded in HTML
        SkipValidation = true,
    };

    private static readonly JsonEncodedText Http10 = JsonEncodedText.Encode("HTTP/1.0");
    private static readonly JsonEncodedText Http11 = JsonEncodedText.Encode("HTTP/1.1");
    private static readonly JsonEncodedText Http2 = JsonEncodedText.Encode("HTTP/2");
    private static readonly JsonEncodedText Tcp = JsonEncodedText.Encode("tcp");

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_json;

    /// <summary>The fields each line carries, in order.</summary>
    public ImmutableArray<AccessLogField> Fields => fields;

    /// <summary>The sink.</summary>
    public AccessLogWriter Writer => writer;

    /// <summary>Formats and queues the line of a completed exchange; false when it was dropped.</summary>
    public bool WriteHttp(HttpExchange exchange, long endTimestamp, long requestBytes, long responseBytes)
    {
        Utf8JsonWriter json = Begin(out ArrayBufferWriter<byte> buffer);
        HttpRequestHead request = exchange.Request;
        foreach (AccessLogField field in fields)
        {
            JsonEncodedText name = AccessLogFields.JsonName(field);
            if (TryWriteConnectionField(json, field, name, exchange.Connection, exchange.StartTimestamp, endTimestamp))
            {
                continue;
            }
            switch (field)
            {
                case AccessLogField.Protocol:
                    json.WriteString(name, request.Version switch { 10 => Http10, 20 => Http2, _ => Http11 });
                    break;
                case AccessLogField.Method:
                    json.WriteString(name, request.GetMethodString());
                    break;
                case AccessLogField.Authority:
                    WriteBytes(json, name, request.Authority);
                    break;
                case AccessLogField.Path:
                    WriteBytes(json, name, request.Path);
                    break;
                case AccessLogField.Route:
                    WriteOptional(json, name, exchange.Route?.TableName);
                    break;
                case AccessLogField.Rule:
                    WriteOptional(json, name, exchange.Route?.RuleName);
                    break;
                case AccessLogField.Cluster:
                    WriteOptional(json, name, exchange.Cluster?.Name);
                    break;
                case AccessLogField.Subset:
                    WriteOptional(json, name, exchange.Subset?.Name);
                    break;
                case AccessLogField.Endpoint:
                    WriteOptional(json, name, exchange.Endpoint?.Address);
                    break;
                case AccessLogField.Status:
                    json.WriteNumber(name, exchange.Response.StatusCode);
                    break;
                case AccessLogField.ResponseFlags:
                    json.WriteString(name, ResponseFlagsFormat.ToCodes(exchange.ResponseFlags));
                    break;
                case AccessLogField.BytesReceived:
                    json.WriteNumber(name, requestBytes);
                    break;
                case AccessLogField.BytesSent:
                    json.WriteNumber(name, responseBytes);
                    break;
                case AccessLogField.RequestId:
                    WriteHeader(json, name, request.Headers, "x-request-id"u8);
                    break;
                case AccessLogField.UserAgent:
                    WriteHeader(json, name, request.Headers, "user-agent"u8);
                    break;
                case AccessLogField.UpstreamTime:
                    // Request head in to response head back: only for proxied responses.
                    if (!exchange.IsLocalReply && exchange.Endpoint is not null && exchange.ResponseStartTimestamp != 0)
                    {
                        json.WriteNumber(name, Milliseconds(exchange.StartTimestamp, exchange.ResponseStartTimestamp));
                    }
                    else
                    {
                        json.WriteNull(name);
                    }
                    break;
                case AccessLogField.TraceId:
                    if (TraceHeaders.TryGetTraceId(request.Headers, out ReadOnlySpan<byte> traceId))
                    {
                        WriteBytes(json, name, traceId);
                    }
                    else
                    {
                        json.WriteNull(name);
                    }
                    break;
            }
        }
        return End(json, buffer);
    }

    /// <summary>
    /// Formats and queues the line of a request the HTTP/1.1 codec rejected (400, 408, 414, 431, 505): no
    /// request was parsed, so method, authority, path, route and destination fields are null.
    /// </summary>
    public bool WriteRejected(ConnectionContext connection, int status, ResponseFlags flags, long startTimestamp, long endTimestamp, long responseBytes)
    {
        Utf8JsonWriter json = Begin(out ArrayBufferWriter<byte> buffer);
        foreach (AccessLogField field in fields)
        {
            JsonEncodedText name = AccessLogFields.JsonName(field);
            if (TryWriteConnectionField(json, field, name, connection, startTimestamp, endTimestamp))
            {
                continue;
            }
            switch (field)
            {
                case AccessLogField.Protocol:
                    json.WriteString(name, Http11);
                    break;
                case AccessLogField.Status:
                    json.WriteNumber(name, status);
                    break;
                case AccessLogField.ResponseFlags:
                    json.WriteString(name, ResponseFlagsFormat.ToCodes(flags));
                    break;
                case AccessLogField.BytesReceived:
                    json.WriteNumber(name, 0);
                    break;
                case AccessLogField.BytesSent:
                    json.WriteNumber(name, responseBytes);
                    break;
                default:
                    json.WriteNull(name);
                    break;
            }
        }
        return End(json, buffer);
    }

    /// <summary>Formats and queues the line of a TCP session; false when it was dropped.</summary>
    public bool WriteTcp(ConnectionContext connection, long startTimestamp, long endTimestamp)
    {
        Utf8JsonWriter json = Begin(out ArrayBufferWriter<byte> buffer);
        foreach (AccessLogField field in fields)
        {
            JsonEncodedText name = AccessLogFields.JsonName(field);
            if (TryWriteConnectionField(json, field, name, connection, startTimestamp, endTimestamp))
            {
                continue;
            }
            switch (field)
            {
                case AccessLogField.Protocol:
                    json.WriteString(name, Tcp);
                    break;
                case AccessLogField.Cluster:
                    WriteOptional(json, name, connection.UpstreamCluster);
                    break;
                case AccessLogField.Endpoint:
                    WriteOptional(json, name, connection.UpstreamEndpoint?.Address);
                    break;
                case AccessLogField.ResponseFlags:
                    json.WriteString(name, ResponseFlagsFormat.ToCodes(connection.ResponseFlags));
                    break;
                case AccessLogField.BytesReceived:
                    json.WriteNumber(name, connection.BytesReceived);
                    break;
                case AccessLogField.BytesSent:
                    json.WriteNumber(name, connection.Sender.BytesSent);
                    break;
            }
        }
        return End(json, buffer);
    }

    /// <summary>The fields every line has the same way, HTTP or TCP: start time, listener, duration, client address.</summary>
    private static bool TryWriteConnectionField(Utf8JsonWriter json, AccessLogField field, JsonEncodedText name, ConnectionContext connection, long startTimestamp, long endTimestamp)
    {
        switch (field)
        {
            case AccessLogField.Time:
                json.WriteString(name, StartTime(startTimestamp, endTimestamp));
                return true;
            case AccessLogField.Listener:
                json.WriteString(name, connection.Listener.Name);
                return true;
            case AccessLogField.Duration:
                json.WriteNumber(name, Milliseconds(startTimestamp, endTimestamp));
                return true;
            case AccessLogField.DownstreamAddress:
                WriteAddress(json, name, connection.RemoteEndPoint.Address);
                return true;
            default:
                return false;
        }
    }

    private static Utf8JsonWriter Begin(out ArrayBufferWriter<byte> buffer)
    {
        buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        Utf8JsonWriter json = t_json ??= new Utf8JsonWriter(buffer, Options);
        json.Reset(buffer);
        json.WriteStartObject();
        return json;
    }

    private bool End(Utf8JsonWriter json, ArrayBufferWriter<byte> buffer)
    {
        json.WriteEndObject();
        json.Flush();
        buffer.GetSpan(1)[0] = (byte)'\n';
        buffer.Advance(1);
        return writer.TryWrite(buffer.WrittenSpan);
    }

    private static DateTime StartTime(long startTimestamp, long endTimestamp) =>
        DateTime.UtcNow - Stopwatch.GetElapsedTime(startTimestamp, endTimestamp);

    private static double Milliseconds(long startTimestamp, long endTimestamp) =>
        Math.Round(Stopwatch.GetElapsedTime(startTimestamp, endTimestamp).TotalMilliseconds, 3);

    private static void WriteOptional(Utf8JsonWriter json, JsonEncodedText name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteHeader(Utf8JsonWriter json, JsonEncodedText name, HttpHeaderList headers, ReadOnlySpan<byte> header)
    {
        if (headers.TryGetValue(header, out ReadOnlySpan<byte> value))
        {
            WriteBytes(json, name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    /// <summary>Request bytes as a JSON string: UTF-8 as is, anything else read as Latin-1 (obs-text).</summary>
    private static void WriteBytes(Utf8JsonWriter json, JsonEncodedText name, ReadOnlySpan<byte> value)
    {
        if (Utf8.IsValid(value))
        {
            json.WriteString(name, value);
            return;
        }
        char[]? rented = null;
        Span<char> chars = value.Length <= 256 ? stackalloc char[256] : (rented = ArrayPool<char>.Shared.Rent(value.Length));
        try
        {
            int length = System.Text.Encoding.Latin1.GetChars(value, chars);
            json.WriteString(name, chars[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private static void WriteAddress(Utf8JsonWriter json, JsonEncodedText name, IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            // NOTE: MapToIPv4 allocates; only dual-stack listeners see mapped addresses.
            address = address.MapToIPv4();
        }
        Span<char> chars = stackalloc char[64];
        json.WriteString(name, address.TryFormat(chars, out int length) ? chars[..length] : []);
    }
}
