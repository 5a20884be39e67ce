namespace Meshy.Engine.Tasks;

/// <summary>
/// The runtime's default execution context, the one with no async-local values. The runtime keeps it internal;
/// <see cref="ExecutionContext.Capture"/> returns it on a thread that has no context of its own.
/// </summary>
internal static class DefaultExecutionContext
{
    /// <summary>The default context; null only if the runtime stops returning a shared instance for it.</summary>
    public static readonly ExecutionContext? Instance = CaptureOnFreshThread();

    /// <summary>True when running on the current thread is the same as running in <paramref name="context"/>: both carry no values.</summary>
    public static bool MatchesCurrent(ExecutionContext context)
    {
        if (!ReferenceEquals(context, Instance))
        {
            return false;
        }
        ExecutionContext? current = ExecutionContext.Capture();
        return current is null || ReferenceEquals(current, Instance); // null: flow suppressed, which flows nothing either
    }

    private static ExecutionContext? CaptureOnFreshThread()
    {
        ExecutionContext? captured = null;
        var thread = new Thread(() => captured = ExecutionContext.Capture()) { IsBackground = true };
        thread.UnsafeStart(); // started without the caller's context
        thread.Join();
        return captured;
    }
}
