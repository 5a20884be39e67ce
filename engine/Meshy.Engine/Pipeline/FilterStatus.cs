namespace Meshy.Engine.Pipeline;

/// <summary>What a filter tells the chain after a phase.</summary>
public enum FilterStatus
{
    /// <summary>Run the next filter.</summary>
    Continue,
    /// <summary>Stop the chain: this filter took over the connection or request (and finished it).</summary>
    Stop,
    /// <summary>Stop the chain: this filter sent a local reply (HTTP).</summary>
    StopAndReply,
}
