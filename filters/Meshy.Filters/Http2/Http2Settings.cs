using System.Buffers;
using System.Buffers.Binary;

namespace Meshy.Filters.Http2;

/// <summary>
/// One endpoint's SETTINGS (RFC 9113 §6.5.2), starting from the RFC's initial values. The connection
/// keeps one for each side: what it advertised and what the peer sent. Immutable: a SETTINGS frame
/// gives a new record (<see cref="Apply"/>), so comparing the old and new one tells what changed
/// (e.g. the initial window size, which moves every open stream's window, §6.9.2).
/// </summary>
internal sealed record Http2Settings
{
    /// <summary>Frame payloads never go below this size (§4.2).</summary>
    public const int MinMaxFrameSize = 16_384;

    /// <summary>The largest frame payload the 24-bit length field can describe (§4.2).</summary>
    public const int MaxMaxFrameSize = 16_777_215;

    /// <summary>The largest flow-control window (§6.9.1).</summary>
    public const int MaxWindowSize = int.MaxValue;

    /// <summary>"No limit" for <see cref="MaxConcurrentStreams"/> and <see cref="MaxHeaderListSize"/>.</summary>
    public const uint Unlimited = uint.MaxValue;

    /// <summary>The initial values every connection starts from.</summary>
    public static Http2Settings Default { get; } = new();

    /// <summary>SETTINGS_HEADER_TABLE_SIZE, default 4096.</summary>
    public uint HeaderTableSize { get; init; } = 4096;

    /// <summary>SETTINGS_ENABLE_PUSH, default true.</summary>
    public bool EnablePush { get; init; } = true;

    /// <summary>SETTINGS_MAX_CONCURRENT_STREAMS, default <see cref="Unlimited"/>.</summary>
    public uint MaxConcurrentStreams { get; init; } = Unlimited;

    /// <summary>SETTINGS_INITIAL_WINDOW_SIZE, default 65535, at most 2^31-1.</summary>
    public int InitialWindowSize { get; init; } = 65_535;

    /// <summary>SETTINGS_MAX_FRAME_SIZE, default 16384, range 16384..16777215.</summary>
    public int MaxFrameSize { get; init; } = MinMaxFrameSize;

    /// <summary>SETTINGS_MAX_HEADER_LIST_SIZE, default <see cref="Unlimited"/>.</summary>
    public uint MaxHeaderListSize { get; init; } = Unlimited;

    /// <summary>
    /// Checks one received parameter (§6.5.2). Null when valid; otherwise the connection error:
    /// ENABLE_PUSH other than 0/1 and MAX_FRAME_SIZE out of range are PROTOCOL_ERROR,
    /// INITIAL_WINDOW_SIZE above 2^31-1 is FLOW_CONTROL_ERROR. Unknown identifiers are valid.
    /// </summary>
    public static Http2Error? Validate(Http2SettingId id, uint value) => id switch
    {
        Http2SettingId.EnablePush when value > 1 =>
            Http2Error.Connection(Http2ErrorCode.ProtocolError, "SETTINGS_ENABLE_PUSH must be 0 or 1"),
        Http2SettingId.InitialWindowSize when value > MaxWindowSize =>
            Http2Error.Connection(Http2ErrorCode.FlowControlError, "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1"),
        Http2SettingId.MaxFrameSize when value is < MinMaxFrameSize or > MaxMaxFrameSize =>
            Http2Error.Connection(Http2ErrorCode.ProtocolError, "SETTINGS_MAX_FRAME_SIZE outside 16384..16777215"),
        _ => null,
    };

    /// <summary>
    /// These settings with the parameters of a SETTINGS payload applied in order (a repeated
    /// parameter: the last one wins). The payload must have passed <see cref="Frames.Http2FrameReader"/>,
    /// which validated its length and values; unknown identifiers are skipped (§6.5.2).
    /// </summary>
    public Http2Settings Apply(ReadOnlySequence<byte> payload)
    {
        uint headerTableSize = HeaderTableSize;
        bool enablePush = EnablePush;
        uint maxConcurrentStreams = MaxConcurrentStreams;
        int initialWindowSize = InitialWindowSize;
        int maxFrameSize = MaxFrameSize;
        uint maxHeaderListSize = MaxHeaderListSize;
        Span<byte> parameter = stackalloc byte[6];
        for (long offset = 0; offset + 6 <= payload.Length; offset += 6)
        {
            payload.Slice(offset, 6).CopyTo(parameter);
            (Http2SettingId id, uint value) = ReadParameter(parameter);
            if (Validate(id, value) is { } error)
            {
                Http2ProtocolException.Throw(error);
            }
            switch (id)
            {
                case Http2SettingId.HeaderTableSize: headerTableSize = value; break;
                case Http2SettingId.EnablePush: enablePush = value == 1; break;
                case Http2SettingId.MaxConcurrentStreams: maxConcurrentStreams = value; break;
                case Http2SettingId.InitialWindowSize: initialWindowSize = (int)value; break;
                case Http2SettingId.MaxFrameSize: maxFrameSize = (int)value; break;
                case Http2SettingId.MaxHeaderListSize: maxHeaderListSize = value; break;
            }
        }
        return new Http2Settings
        {
            HeaderTableSize = headerTableSize,
            EnablePush = enablePush,
            MaxConcurrentStreams = maxConcurrentStreams,
            InitialWindowSize = initialWindowSize,
            MaxFrameSize = maxFrameSize,
            MaxHeaderListSize = maxHeaderListSize,
        };
    }

    /// <summary>
    /// The parameters that differ from <see cref="Default"/>, for the SETTINGS frame that advertises
    /// these settings; returns how many were written to <paramref name="destination"/> (room for 6).
    /// </summary>
    public int GetNonDefaultParameters(Span<Http2Setting> destination)
    {
        int count = 0;
        Http2Settings initial = Default;
        if (HeaderTableSize != initial.HeaderTableSize) { destination[count++] = new(Http2SettingId.HeaderTableSize, HeaderTableSize); }
        if (EnablePush != initial.EnablePush) { destination[count++] = new(Http2SettingId.EnablePush, EnablePush ? 1u : 0u); }
        if (MaxConcurrentStreams != initial.MaxConcurrentStreams) { destination[count++] = new(Http2SettingId.MaxConcurrentStreams, MaxConcurrentStreams); }
        if (InitialWindowSize != initial.InitialWindowSize) { destination[count++] = new(Http2SettingId.InitialWindowSize, (uint)InitialWindowSize); }
        if (MaxFrameSize != initial.MaxFrameSize) { destination[count++] = new(Http2SettingId.MaxFrameSize, (uint)MaxFrameSize); }
        if (MaxHeaderListSize != initial.MaxHeaderListSize) { destination[count++] = new(Http2SettingId.MaxHeaderListSize, MaxHeaderListSize); }
        return count;
    }

    /// <summary>
    /// One 6-byte parameter (§6.5.1):
    /// <code>
    ///   +-------------------------------+
    ///   |       Identifier (16)         |
    ///   +-------------------------------+-------------------------------+
    ///   |                        Value (32)                             |
    ///   +---------------------------------------------------------------+
    /// </code>
    /// </summary>
    internal static (Http2SettingId Id, uint Value) ReadParameter(ReadOnlySpan<byte> parameter) =>
        ((Http2SettingId)BinaryPrimitives.ReadUInt16BigEndian(parameter), BinaryPrimitives.ReadUInt32BigEndian(parameter[2..]));
}
