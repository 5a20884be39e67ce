using System.Collections.Immutable;
using System.Net;
using Meshy.Engine.Http;
using Meshy.Engine.Pipeline;
using Meshy.Filters.Observability.Tracing;

namespace Meshy.Filters.Observability.AccessLog;

/// <summary>
/// Formats one JSON line per HTTP exchange or TCP session with the snapshot's <c>fields</c>, straight into a
/// slot of the <see cref="AccessLogWriter"/>'s ring. A field without a value for this line (no route on a 404
/// <c>NR</c>) is written as null; HTTP-only fields are left out of TCP lines.
/// </summary>
/// <remarks>
/// <para>
/// Allocation: none per line in steady state. The line is written as UTF-8 into the slot's own buffer, kept
/// from line to line (see <see cref="AccessLogLineBuilder"/> for how values are encoded); strings come from the
/// snapshot (names) or are written from the request's bytes.
/// </para>
/// <para>
/// A full ring drops the line before any formatting. A claimed slot is always published, empty if formatting
/// threw, so the writer thread never waits on it.
/// </para>
/// </remarks>
internal sealed class AccessLogFormatter(ImmutableArray<AccessLogField> fields, AccessLogWriter writer)
{
    /// <summary>The fields each line carries, in order.</summary>
    public ImmutableArray<AccessLogField> Fields => fields;

    /// <summary>The sink.</summary>
    public AccessLogWriter Writer => writer;

    /// <summary>Formats and queues the line of a completed exchange; false when it was dropped.</summary>
    public bool WriteHttp(HttpExchange exchange, long endTimestamp, long requestBytes, long responseBytes)
    {
        if (!writer.TryClaim(out long position, out byte[] buffer))
        {
            return false;
        }
        var line = new AccessLogLineBuilder(buffer);
        int length = 0;
        try
        {
            FormatHttp(ref line, exchange, endTimestamp, requestBytes, responseBytes);
            length = line.Length;
        }
        finally
        {
            writer.Publish(position, line.Buffer, length);
        }
        return true;
    }

    /// <summary>
    /// The line <see cref="WriteHttp"/> queues, written into <paramref name="destination"/> (replaced by a larger
    /// buffer when it does not fit); its length, newline included. For benchmarks and tests.
    /// </summary>
    public int FormatHttp(ref byte[] destination, HttpExchange exchange, long endTimestamp, long requestBytes, long responseBytes)
    {
        var line = new AccessLogLineBuilder(destination);
        FormatHttp(ref line, exchange, endTimestamp, requestBytes, responseBytes);
        destination = line.Buffer;
        return line.Length;
    }

    /// <summary>
    /// Formats and queues the line of a request the codec rejected (HTTP/1.1: 400, 408, 414, 431, 505; HTTP/2:
    /// a malformed request, status 0): no request was parsed, so method, authority, path, route and
    /// destination fields are null.
    /// </summary>
    public bool WriteRejected(ConnectionContext connection, int version, int status, ResponseFlags flags, long startTimestamp, long endTimestamp, long responseBytes)
    {
        if (!writer.TryClaim(out long position, out byte[] buffer))
        {
            return false;
        }
        var line = new AccessLogLineBuilder(buffer);
        int length = 0;
        try
        {
            foreach (AccessLogField field in fields)
            {
                line.WriteRaw(AccessLogFields.JsonPrefix(field));
                if (TryWriteConnectionField(ref line, field, connection, startTimestamp, endTimestamp))
                {
                    continue;
                }
                switch (field)
                {
                    case AccessLogField.Protocol:
                        WriteProtocol(ref line, version);
                        break;
                    case AccessLogField.Status:
                        line.WriteNumber(status);
                        break;
                    case AccessLogField.ResponseFlags:
                        WriteFlags(ref line, flags);
                        break;
                    case AccessLogField.BytesReceived:
                        line.WriteNumber(0);
                        break;
                    case AccessLogField.BytesSent:
                        line.WriteNumber(responseBytes);
                        break;
                    default:
                        line.WriteNull();
                        break;
                }
            }
            End(ref line);
            length = line.Length;
        }
        finally
        {
            writer.Publish(position, line.Buffer, length);
        }
        return true;
    }

    /// <summary>Formats and queues the line of a TCP session; false when it was dropped.</summary>
    public bool WriteTcp(ConnectionContext connection, long startTimestamp, long endTimestamp)
    {
        if (!writer.TryClaim(out long position, out byte[] buffer))
        {
            return false;
        }
        var line = new AccessLogLineBuilder(buffer);
        int length = 0;
        try
        {
            foreach (AccessLogField field in fields)
            {
                if (!IsTcpField(field))
                {
                    continue;
                }
                line.WriteRaw(AccessLogFields.JsonPrefix(field));
                if (TryWriteConnectionField(ref line, field, connection, startTimestamp, endTimestamp))
                {
                    continue;
                }
                switch (field)
                {
                    case AccessLogField.Protocol:
                        line.WriteRaw("\"tcp\""u8);
                        break;
                    case AccessLogField.Cluster:
                        line.WriteString(connection.UpstreamCluster);
                        break;
                    case AccessLogField.Endpoint:
                        line.WriteString(connection.UpstreamEndpoint?.Address);
                        break;
                    case AccessLogField.ResponseFlags:
                        WriteFlags(ref line, connection.ResponseFlags);
                        break;
                    case AccessLogField.BytesReceived:
                        line.WriteNumber(connection.BytesReceived);
                        break;
                    case AccessLogField.BytesSent:
                        line.WriteNumber(connection.Sender.BytesSent);
                        break;
                }
            }
            End(ref line);
            length = line.Length;
        }
        finally
        {
            writer.Publish(position, line.Buffer, length);
        }
        return true;
    }

    private void FormatHttp(ref AccessLogLineBuilder line, HttpExchange exchange, long endTimestamp, long requestBytes, long responseBytes)
    {
        HttpRequestHead request = exchange.Request;
        foreach (AccessLogField field in fields)
        {
            line.WriteRaw(AccessLogFields.JsonPrefix(field));
            if (TryWriteConnectionField(ref line, field, exchange.Connection, exchange.StartTimestamp, endTimestamp))
            {
                continue;
            }
            switch (field)
            {
                case AccessLogField.Protocol:
                    WriteProtocol(ref line, request.Version);
                    break;
                case AccessLogField.Method:
                    // The token as received: GetMethodString's value, without building a string for a custom method.
                    line.WriteString(request.MethodBytes);
                    break;
                case AccessLogField.Authority:
                    line.WriteString(request.Authority);
                    break;
                case AccessLogField.Path:
                    line.WriteString(request.Path);
                    break;
                case AccessLogField.Route:
                    line.WriteString(exchange.Route?.TableName);
                    break;
                case AccessLogField.Rule:
                    line.WriteString(exchange.Route?.RuleName);
                    break;
                case AccessLogField.Cluster:
                    line.WriteString(exchange.Cluster?.Name);
                    break;
                case AccessLogField.Subset:
                    line.WriteString(exchange.Subset?.Name);
                    break;
                case AccessLogField.Endpoint:
                    line.WriteString(exchange.Endpoint?.Address);
                    break;
                case AccessLogField.Status:
                    line.WriteNumber(exchange.Response.StatusCode);
                    break;
                case AccessLogField.ResponseFlags:
                    WriteFlags(ref line, exchange.ResponseFlags);
                    break;
                case AccessLogField.BytesReceived:
                    line.WriteNumber(requestBytes);
                    break;
                case AccessLogField.BytesSent:
                    line.WriteNumber(responseBytes);
                    break;
                case AccessLogField.RequestId:
                    WriteHeader(ref line, request.Headers, "x-request-id"u8);
                    break;
                case AccessLogField.UserAgent:
                    WriteHeader(ref line, request.Headers, "user-agent"u8);
                    break;
                case AccessLogField.UpstreamTime:
                    // Request head in to response head back: only for proxied responses.
                    if (!exchange.IsLocalReply && exchange.Endpoint is not null && exchange.ResponseStartTimestamp != 0)
                    {
                        line.WriteMilliseconds(exchange.StartTimestamp, exchange.ResponseStartTimestamp);
                    }
                    else
                    {
                        line.WriteNull();
                    }
                    break;
                case AccessLogField.TraceId:
                    if (TraceHeaders.TryGetTraceId(request.Headers, out ReadOnlySpan<byte> traceId))
                    {
                        line.WriteString(traceId);
                    }
                    else
                    {
                        line.WriteNull();
                    }
                    break;
            }
        }
        End(ref line);
    }

    /// <summary>The fields every line has the same way, HTTP or TCP: start time, listener, duration, client address.</summary>
    private static bool TryWriteConnectionField(ref AccessLogLineBuilder line, AccessLogField field, ConnectionContext connection, long startTimestamp, long endTimestamp)
    {
        switch (field)
        {
            case AccessLogField.Time:
                line.WriteTime(AccessLogClock.UtcTicks(startTimestamp, endTimestamp));
                return true;
            case AccessLogField.Listener:
                line.WriteString(connection.Listener.Name);
                return true;
            case AccessLogField.Duration:
                line.WriteMilliseconds(startTimestamp, endTimestamp);
                return true;
            case AccessLogField.DownstreamAddress:
                WriteAddress(ref line, connection.RemoteEndPoint.Address);
                return true;
            default:
                return false;
        }
    }

    private static bool IsTcpField(AccessLogField field) => field is AccessLogField.Time or AccessLogField.Listener
        or AccessLogField.Duration or AccessLogField.DownstreamAddress or AccessLogField.Protocol or AccessLogField.Cluster
        or AccessLogField.Endpoint or AccessLogField.ResponseFlags or AccessLogField.BytesReceived or AccessLogField.BytesSent;

    /// <summary>Closes the object: the first field's comma becomes the opening brace (no field: <c>{}</c>), then the newline.</summary>
    private static void End(ref AccessLogLineBuilder line)
    {
        if (line.Length == 0)
        {
            line.WriteRaw("{}\n"u8);
            return;
        }
        line.ReplaceFirst((byte)'{');
        line.WriteRaw("}\n"u8);
    }

    private static void WriteFlags(ref AccessLogLineBuilder line, ResponseFlags flags)
    {
        if (flags == ResponseFlags.None)
        {
            line.WriteRaw("\"-\""u8); // nearly every line
        }
        else
        {
            line.WriteString(ResponseFlagsFormat.ToCodes(flags));
        }
    }

    private static void WriteHeader(ref AccessLogLineBuilder line, HttpHeaderList headers, ReadOnlySpan<byte> header)
    {
        if (headers.TryGetValue(header, out ReadOnlySpan<byte> value))
        {
            line.WriteString(value);
        }
        else
        {
            line.WriteNull();
        }
    }

    private static void WriteAddress(ref AccessLogLineBuilder line, IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            // NOTE: MapToIPv4 allocates; only dual-stack listeners see mapped addresses.
            address = address.MapToIPv4();
        }
        line.WriteAddress(address);
    }

    private static void WriteProtocol(ref AccessLogLineBuilder line, int version) =>
        line.WriteRaw(version switch { 10 => "\"HTTP/1.0\""u8, 20 => "\"HTTP/2\""u8, _ => "\"HTTP/1.1\""u8 });
}
