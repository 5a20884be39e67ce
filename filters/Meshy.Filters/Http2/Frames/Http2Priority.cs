namespace Meshy.Filters.Http2.Frames;

/// <summary>
/// The (deprecated, RFC 9113 §5.3.2) priority fields of PRIORITY and HEADERS frames: read so that
/// self-dependency can be refused, otherwise ignored by Meshy.
/// <code>
///   +-+-------------------------------------------------------------+
///   |E|                  Stream Dependency (31)                     |
///   +-+-------------+-----------------------------------------------+
///   | Weight (8)    |                                    weight on the wire is Weight - 1
///   +---------------+
/// </code>
/// </summary>
internal readonly record struct Http2Priority(int StreamDependency, bool Exclusive, int Weight)
{
    /// <summary>The size of the fields on the wire.</summary>
    public const int Length = 5;
}
