using System.Collections.Concurrent;

namespace Meshy.Bench.Load.Processes;

/// <summary>
/// Every child still running, so that an exit path that skips the normal <c>finally</c> cleanup
/// (an unhandled exception, SIGTERM) can still kill them. Children kill only what they started.
/// </summary>
internal static class ChildProcessRegistry
{
    private static readonly ConcurrentDictionary<ChildProcess, byte> Live = new();

    static ChildProcessRegistry()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    public static void Add(ChildProcess child) => Live.TryAdd(child, 0);

    public static void Remove(ChildProcess child) => Live.TryRemove(child, out _);

    public static void KillAll()
    {
        foreach (ChildProcess child in Live.Keys)
        {
            child.Kill();
        }
    }
}
