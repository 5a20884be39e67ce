using Meshy.Conf.Schema;

namespace Meshy.Filters.Fault;

/// <summary>A rule's <c>fault</c>, compiled once per snapshot: a share 0 means that fault is off.</summary>
internal sealed class FaultSettings
{
    /// <summary><c>delay.percent</c>: 0–100, decimals allowed; 0 when the rule has no delay.</summary>
    public double DelayPercent { get; init; }

    /// <summary><c>delay.fixed</c>: how long a delayed request is held.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary><c>abort.percent</c>: 0–100, decimals allowed; 0 when the rule has no abort.</summary>
    public double AbortPercent { get; init; }

    /// <summary><c>abort.status</c>: the HTTP status answered.</summary>
    public int AbortStatus { get; init; }

    /// <summary><c>abort.grpc_status</c>: the <c>grpc-status</c> a gRPC request gets; -1 to map it from <see cref="AbortStatus"/>.</summary>
    public int AbortGrpcStatus { get; init; } = -1;

    /// <summary>The settings of <paramref name="fault"/>.</summary>
    public static FaultSettings From(FaultConfig fault) => new()
    {
        DelayPercent = fault.Delay?.Percent ?? 0,
        Delay = fault.Delay?.Fixed ?? TimeSpan.Zero,
        AbortPercent = fault.Abort?.Percent ?? 0,
        AbortStatus = fault.Abort?.Status ?? 0,
        AbortGrpcStatus = fault.Abort?.GrpcStatus ?? -1,
    };
}
