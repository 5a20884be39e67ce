using Meshy.Engine.Transport;

namespace Meshy.Engine.Tests.Transport;

/// <summary>
/// A fact about the io_uring receive batch: skipped, with the reason, where this process gets no ring
/// (not Linux x64/arm64, io_uring disabled by the kernel or a seccomp filter).
/// </summary>
public sealed class IoUringFactAttribute : FactAttribute
{
    private static readonly bool Available = Probe();

    public IoUringFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(IoUring.EnvironmentVariable) == "0")
        {
            Skip = $"{IoUring.EnvironmentVariable}=0 turns the engine's io_uring off in this run";
        }
        else if (!Available)
        {
            Skip = "needs io_uring: this kernel or sandbox refuses io_uring_setup, so the engine receives with plain recv";
        }
    }

    private static bool Probe()
    {
        using IoUring? ring = IoUring.TryCreate(2, setting: null);
        return ring is not null;
    }
}
