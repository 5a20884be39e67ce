namespace Meshy.Filters.Http2;

/// <summary>SETTINGS parameter identifiers (RFC 9113 §6.5.2). Unknown identifiers are ignored by the receiver.</summary>
internal enum Http2SettingId : ushort
{
    /// <summary>SETTINGS_HEADER_TABLE_SIZE: the largest HPACK dynamic table the sender's decoder accepts.</summary>
    HeaderTableSize = 0x1,
    /// <summary>SETTINGS_ENABLE_PUSH: 0 or 1.</summary>
    EnablePush = 0x2,
    /// <summary>SETTINGS_MAX_CONCURRENT_STREAMS: streams the sender lets the receiver open.</summary>
    MaxConcurrentStreams = 0x3,
    /// <summary>SETTINGS_INITIAL_WINDOW_SIZE: the initial stream flow-control window, ≤ 2^31-1.</summary>
    InitialWindowSize = 0x4,
    /// <summary>SETTINGS_MAX_FRAME_SIZE: the largest frame payload the sender accepts, 16384..16777215.</summary>
    MaxFrameSize = 0x5,
    /// <summary>SETTINGS_MAX_HEADER_LIST_SIZE: advisory limit on the uncompressed field section.</summary>
    MaxHeaderListSize = 0x6,
}
