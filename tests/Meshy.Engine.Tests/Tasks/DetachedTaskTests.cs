using System.Runtime.CompilerServices;
using Meshy.Engine.Tasks;
using Meshy.Testing;

namespace Meshy.Engine.Tests.Tasks;

/// <summary>
/// <see cref="DetachedTask.Forget"/>: a pooled method no one awaits runs to its end, its failure goes nowhere, and
/// its box comes back to the pool (a discarded one would not: every run would allocate a new box).
/// </summary>
public sealed class DetachedTaskTests
{
    [Fact]
    public void Forget_SuspendedMethod_RunsToItsEndWhenResumed()
    {
        var gate = new Gate();
        var ran = new StrongBox<int>();

        DetachedTask.Forget(CountAfterAsync(gate, ran));
        Assert.Equal(0, ran.Value);

        gate.Open();

        Assert.Equal(1, ran.Value);
    }

    [Fact]
    public void Forget_MethodThatFailsAfterSuspending_FailureDroppedAsADiscardedTasksWouldBe()
    {
        var gate = new Gate();

        DetachedTask.Forget(ThrowAfterAsync(gate));
        Exception? escaped = Record.Exception(gate.Open);

        Assert.Null(escaped);
    }

    [Fact]
    public void Forget_ManyRuns_BoxesComeBack_NothingAllocatedInSteadyState()
    {
        Gate[] gates = [.. Enumerable.Range(0, 32).Select(_ => new Gate())];
        var ran = new StrongBox<int>();
        RunRounds(gates, ran, rounds: 5, detached: true);

        long before = GC.GetAllocatedBytesForCurrentThread();
        RunRounds(gates, ran, rounds: 50, detached: true);
        long detached = GC.GetAllocatedBytesForCurrentThread() - before;

        // Discarding the same runs shows the measurement sees the boxes they strand.
        before = GC.GetAllocatedBytesForCurrentThread();
        RunRounds(gates, ran, rounds: 50, detached: false);
        long discarded = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, detached);
        Assert.True(discarded > 50 * 32 * 32, $"discarded runs allocated {discarded} bytes: expected a box per run");
        Assert.Equal(105 * 32, ran.Value);
    }

    private static void RunRounds(Gate[] gates, StrongBox<int> ran, int rounds, bool detached)
    {
        for (int round = 0; round < rounds; round++)
        {
            foreach (Gate gate in gates)
            {
                gate.Close();
                ValueTask run = CountAfterAsync(gate, ran);
                if (detached)
                {
                    DetachedTask.Forget(run);
                }
            }
            foreach (Gate gate in gates)
            {
                gate.Open();
            }
        }
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    private static async ValueTask CountAfterAsync(Gate gate, StrongBox<int> ran)
    {
        await gate;
        ran.Value++;
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    private static async ValueTask ThrowAfterAsync(Gate gate)
    {
        await gate;
        throw new InvalidOperationException("the task's own business");
    }
}
