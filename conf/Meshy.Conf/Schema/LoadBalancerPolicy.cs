namespace Meshy.Conf.Schema;

/// <summary><c>clusters[].lb</c>: how an endpoint is picked.</summary>
public enum LoadBalancerPolicy
{
    /// <summary><c>round_robin</c>: in turn, weighted by endpoint weight (default).</summary>
    RoundRobin,
    /// <summary><c>least_request</c>: the fewer active requests of two random picks (power of two choices).</summary>
    LeastRequest,
    /// <summary><c>random</c>: uniformly at random, weighted.</summary>
    Random,
    /// <summary><c>ring_hash</c>: consistent hashing on <c>hash_on</c>, so one key sticks to one endpoint.</summary>
    RingHash,
}
