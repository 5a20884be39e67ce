namespace Meshy.Engine.Pipeline;

/// <summary>Formats <see cref="ResponseFlags"/> as Envoy's short codes without allocating per request.</summary>
public static class ResponseFlagsFormat
{
    private static readonly (ResponseFlags Flag, string Code)[] Codes =
    [
        (ResponseFlags.UpstreamConnectionFailure, "UF"),
        (ResponseFlags.NoHealthyUpstream, "UH"),
        (ResponseFlags.UpstreamOverflow, "UO"),
        (ResponseFlags.UpstreamRequestTimeout, "UT"),
        (ResponseFlags.UpstreamConnectionTermination, "UC"),
        (ResponseFlags.UpstreamRemoteReset, "UR"),
        (ResponseFlags.NoRouteFound, "NR"),
        (ResponseFlags.DelayInjected, "DI"),
        (ResponseFlags.FaultInjected, "FI"),
        (ResponseFlags.DownstreamConnectionTermination, "DC"),
        (ResponseFlags.DownstreamProtocolError, "DPE"),
    ];

    // Label values are cached: a combination is formatted once per process, then reused.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<ResponseFlags, string> Cache = new();

    /// <summary>"UF,UO"-style codes, or "-" when no flag is set.</summary>
    public static string ToCodes(ResponseFlags flags)
    {
        if (flags == ResponseFlags.None)
        {
            return "-";
        }
        return Cache.GetOrAdd(flags, static f =>
        {
            var codes = new List<string>();
            foreach ((ResponseFlags flag, string code) in Codes)
            {
                if ((f & flag) != 0)
                {
                    codes.Add(code);
                }
            }
            return string.Join(',', codes);
        });
    }
}
