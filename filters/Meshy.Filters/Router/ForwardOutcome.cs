namespace Meshy.Filters.Router;

/// <summary>What <see cref="RouterFilter.ForwardAsync"/> left in the exchange.</summary>
internal enum ForwardOutcome : byte
{
    /// <summary>A response head to send (proxied or a local reply).</summary>
    Response,
    /// <summary>The client is gone or the connection is being cut: send nothing, close.</summary>
    DownstreamGone,
}
