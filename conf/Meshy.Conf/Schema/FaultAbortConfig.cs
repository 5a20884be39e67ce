namespace Meshy.Conf.Schema;

/// <summary>
/// <c>fault.abort = { percent, status, grpc_status }</c>: answer a share of requests locally without
/// reaching the upstream (flag <c>FI</c>).
/// </summary>
public sealed record FaultAbortConfig
{
    /// <summary><c>percent</c>: share of requests aborted, 0–100, decimals allowed. Required.</summary>
    public required double Percent { get; init; }

    /// <summary><c>status</c>: the HTTP status answered, 200–599. Required.</summary>
    public required int Status { get; init; }

    /// <summary>
    /// <c>grpc_status</c>: for gRPC requests (<c>content-type: application/grpc…</c>), answer 200 with this
    /// <c>grpc-status</c> (0–16) instead of <see cref="Status"/>. Optional.
    /// </summary>
    public int? GrpcStatus { get; init; }
}
