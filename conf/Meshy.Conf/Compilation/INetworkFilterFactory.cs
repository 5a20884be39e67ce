using Meshy.Conf.Schema;
using Meshy.Engine.Pipeline;
using Meshy.Engine.Runtime;

namespace Meshy.Conf.Compilation;

/// <summary>
/// Builds the terminal network filter of listeners of one <see cref="Protocol"/> (a TCP proxy for
/// <c>tcp</c>, an HTTP connection manager for <c>http</c>). Registered once per protocol in
/// <c>FilterRegistration</c>; called once per listener per snapshot.
/// </summary>
public interface INetworkFilterFactory
{
    /// <summary>The listener protocol this factory terminates.</summary>
    ListenerProtocol Protocol { get; }

    /// <summary>The compiled filter for <paramref name="listener"/>; shared by all of its connections on this snapshot.</summary>
    INetworkFilter Create(ListenerConfig listener, CompilationContext context);
}
