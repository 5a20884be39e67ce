namespace Meshy.Engine.Upstream.LoadBalancing;

/// <summary>
/// Picks an endpoint for one request or TCP session. Compiled per snapshot over a fixed endpoint
/// list; must be thread-safe and allocation-free per pick.
/// </summary>
public interface ILoadBalancer
{
    /// <summary>
    /// An available endpoint (healthy and not ejected), or null when none is. <paramref name="exclude"/>
    /// is an endpoint to avoid when another exists (a retry's previous attempt); null for none.
    /// </summary>
    EndpointSnapshot? Pick(in LoadBalancerContext context, EndpointSnapshot? exclude = null);
}
