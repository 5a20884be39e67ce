using System.Runtime.CompilerServices;
using Meshy.Engine.Tasks;
using Meshy.Testing;

namespace Meshy.Engine.Tests.Tasks;

public sealed class PooledValueTaskMethodBuilderTests
{
    private static readonly AsyncLocal<string?> Ambient = new();

    [Fact]
    public async Task CompletesWithoutSuspending_ReturnsTheResultSynchronously()
    {
        ValueTask<int> task = AddAsync(new Gate(open: true), 2);

        Assert.True(task.IsCompletedSuccessfully);
        Assert.Equal(3, await task);
    }

    [Fact]
    public async Task Suspends_ResumesWithTheResultWhenTheAwaitedCompletes()
    {
        var gate = new Gate(open: false);
        ValueTask<int> task = AddAsync(gate, 41);
        Assert.False(task.IsCompleted);

        gate.Open();

        Assert.Equal(42, await task);
    }

    [Fact]
    public async Task ThrowsBeforeOrAfterSuspending_TheAwaiterGetsTheException()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await ThrowAsync(new Gate(open: true)));

        var gate = new Gate(open: false);
        ValueTask failing = ThrowAsync(gate);
        gate.Open();
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await failing);
    }

    [Fact]
    public async Task AsyncLocal_FlowsAcrossTheSuspension()
    {
        var gate = new Gate(open: false);
        Ambient.Value = "request-1";
        ValueTask<string?> task = ReadAmbientAfterAsync(gate);
        Ambient.Value = null;

        gate.Open(); // resumed from a context where the value is gone

        Assert.Equal("request-1", await task);
    }

    [Fact]
    public async Task DefaultContext_ResumedWhereAValueIsSet_DoesNotSeeIt()
    {
        var gate = new Gate(open: false);
        ValueTask<string?> task = OnFreshThread(() => ReadAmbientAfterAsync(gate)); // suspends in the default context

        Ambient.Value = "someone-else";
        gate.Open();
        Ambient.Value = null;

        Assert.Null(await task);
    }

    [Fact]
    public async Task DefaultContext_ResumedOnAThreadWithFlowSuppressed_RunsThereWithoutSwitching()
    {
        // An engine thread keeps flow suppressed; a method that suspended in the default context resumes there
        // as it is: going through ExecutionContext.Run would lift the suppression (and cost a switch per resume).
        var gate = new Gate(open: false);
        ValueTask<bool> task = OnFreshThread(() => IsFlowSuppressedAfterAsync(gate));

        OnFreshThread(() =>
        {
            ExecutionContext.SuppressFlow();
            gate.Open();
            return 0;
        });

        Assert.True(await task);
    }

    [Fact]
    public async Task ResultTakenTwice_TheStaleTokenIsRefused()
    {
        var gate = new Gate(open: false);
        ValueTask<int> task = AddAsync(gate, 1);
        gate.Open();
        Assert.Equal(2, await task);

        // The box went back to its pool: a second read of the same ValueTask must not see a later run.
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await task);

        // ...nor put the box in the pool twice: two runs in flight now must not share it.
        var first = new Gate(open: false);
        var second = new Gate(open: false);
        ValueTask<int> a = AddAsync(first, 10);
        ValueTask<int> b = AddAsync(second, 20);
        second.Open();
        first.Open();
        Assert.Equal(21, await b);
        Assert.Equal(11, await a);
    }

    [Fact]
    public async Task ResultReadBeforeCompletion_RefusedAndTheRunStillCompletes()
    {
        var gate = new Gate(open: false);
        ValueTask<int> task = AddAsync(gate, 4);

        Assert.Throws<InvalidOperationException>(() => task.GetAwaiter().GetResult());

        gate.Open();
        Assert.Equal(5, await task);
    }

    [Fact]
    public void ManyInFlight_SteadyStateAllocatesNothing()
    {
        // Warm the pools and JIT, then measure rounds of 64 methods suspended at once, as 64 keep-alive
        // connections keep 64 requests in flight. Everything runs on this thread: the gates resume inline.
        var gates = new Gate[64];
        for (int i = 0; i < gates.Length; i++)
        {
            gates[i] = new Gate(open: false);
        }
        var tasks = new ValueTask<int>[gates.Length];
        RunRounds(gates, tasks, rounds: 5, pooled: true);

        long before = GC.GetAllocatedBytesForCurrentThread();
        RunRounds(gates, tasks, rounds: 50, pooled: true);
        long pooled = GC.GetAllocatedBytesForCurrentThread() - before;

        // The same with the runtime's pooling builder shows the measurement can see box allocations.
        RunRounds(gates, tasks, rounds: 5, pooled: false);
        before = GC.GetAllocatedBytesForCurrentThread();
        RunRounds(gates, tasks, rounds: 50, pooled: false);
        long runtime = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, pooled);
        Assert.True(runtime > 50 * 32 * 64, $"the runtime's builder allocated {runtime} bytes: expected a box for most suspensions");
    }

    private static void RunRounds(Gate[] gates, ValueTask<int>[] tasks, int rounds, bool pooled)
    {
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < gates.Length; i++)
            {
                gates[i].Close();
                tasks[i] = pooled ? AddAsync(gates[i], i) : AddWithRuntimeBuilderAsync(gates[i], i);
            }
            for (int i = 0; i < gates.Length; i++)
            {
                gates[i].Open();
            }
            for (int i = 0; i < gates.Length; i++)
            {
                ValueTask<int> task = tasks[i];
                if (!task.IsCompletedSuccessfully || task.Result != i + 1)
                {
                    throw new InvalidOperationException($"task {i} did not complete with {i + 1}");
                }
            }
        }
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<int> AddAsync(Gate gate, int value)
    {
        await gate;
        return value + 1;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<int> AddWithRuntimeBuilderAsync(Gate gate, int value)
    {
        await gate;
        return value + 1;
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    private static async ValueTask ThrowAsync(Gate gate)
    {
        await gate;
        throw new InvalidOperationException("from the method");
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<string?> ReadAmbientAfterAsync(Gate gate)
    {
        await gate;
        return Ambient.Value;
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<bool> IsFlowSuppressedAfterAsync(Gate gate)
    {
        await gate;
        return ExecutionContext.IsFlowSuppressed();
    }

    /// <summary>Runs <paramref name="action"/> on a thread started without the caller's execution context.</summary>
    private static T OnFreshThread<T>(Func<T> action)
    {
        T result = default!;
        var thread = new Thread(() => result = action());
        thread.UnsafeStart();
        thread.Join();
        return result;
    }
}
