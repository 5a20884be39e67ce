using System.Net;
using Meshy.Engine.Runtime;
using Meshy.Engine.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshy.Testing;

/// <summary>
/// Runs a <see cref="ListenerManager"/> on a snapshot for socket tests: publishes the snapshot, binds
/// its listeners and exposes their real endpoints. Disposing cuts everything.
/// </summary>
public sealed class ListenerHarness : IAsyncDisposable
{
    private ListenerHarness(ProxySnapshot snapshot, PipeOptionsFactory pipes)
    {
        Holder = new SnapshotHolder(snapshot);
        Tracker = new ConnectionTracker();
        Manager = new ListenerManager(Holder, pipes, Tracker, NullLogger<ListenerManager>.Instance);
    }

    /// <summary>Publishes snapshots (the current one is what new connections read).</summary>
    public SnapshotHolder Holder { get; }

    /// <summary>Connection counts and the max_connections limit.</summary>
    public ConnectionTracker Tracker { get; }

    /// <summary>The manager under test.</summary>
    public ListenerManager Manager { get; }

    /// <summary>The pipe options shared by proxies built with this harness.</summary>
    public static PipeOptionsFactory Pipes => PipeOptionsFactory.Default;

    /// <summary>Publishes <paramref name="snapshot"/> and binds its listeners.</summary>
    public static async Task<ListenerHarness> StartAsync(ProxySnapshot snapshot)
    {
        var harness = new ListenerHarness(snapshot, Pipes);
        await harness.Manager.ApplyAsync(snapshot).ConfigureAwait(false);
        return harness;
    }

    /// <summary>The bound address of listener <paramref name="name"/> (default <c>tcp</c>).</summary>
    public IPEndPoint EndPoint(string name = "tcp") => Manager.Listening[name];

    /// <summary>Publishes <paramref name="snapshot"/> then reconciles the listeners, as a reload does.</summary>
    public async Task ReloadAsync(ProxySnapshot snapshot)
    {
        Holder.Publish(snapshot);
        await Manager.ApplyAsync(snapshot).ConfigureAwait(false);
    }

    /// <summary>Cuts every connection and closes every listener.</summary>
    public ValueTask DisposeAsync() => Manager.DisposeAsync();
}
