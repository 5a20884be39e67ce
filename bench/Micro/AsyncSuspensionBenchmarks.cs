using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Meshy.Engine.Tasks;

namespace Meshy.Bench.Micro;

/// <summary>
/// What one suspended async method costs when many are in flight, as on a proxy with 64 keep-alive
/// connections each waiting on its socket: 64 methods suspend, then all resume and complete, inline.
/// Meshy's <see cref="PooledValueTaskMethodBuilder{TResult}"/> against the runtime's pooling builder,
/// which keeps one box per thread and core and so allocates a box for nearly every suspension.
/// </summary>
[MemoryDiagnoser]
public class AsyncSuspensionBenchmarks
{
    private const int InFlight = 64;

    private readonly Gate[] _gates = [.. Enumerable.Range(0, InFlight).Select(_ => new Gate())];
    private readonly ValueTask<int>[] _tasks = new ValueTask<int>[InFlight];

    [Benchmark(Baseline = true, OperationsPerInvoke = InFlight)]
    public int RuntimePoolingBuilder() => Round(pooled: false);

    [Benchmark(OperationsPerInvoke = InFlight)]
    public int MeshyPooledBuilder() => Round(pooled: true);

    private int Round(bool pooled)
    {
        for (int i = 0; i < InFlight; i++)
        {
            _gates[i].Close();
            _tasks[i] = pooled ? PooledAsync(_gates[i], i) : RuntimeAsync(_gates[i], i);
        }
        int sum = 0;
        for (int i = 0; i < InFlight; i++)
        {
            _gates[i].Open();
        }
        for (int i = 0; i < InFlight; i++)
        {
            // Completed inline by Open: reading the result returns the box to its pool.
            sum += _tasks[i].GetAwaiter().GetResult();
        }
        return sum;
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<int> PooledAsync(Gate gate, int value)
    {
        await gate;
        return value;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<int> RuntimeAsync(Gate gate, int value)
    {
        await gate;
        return value;
    }

    /// <summary>An awaitable opened by hand; the continuation runs inline on the opening thread.</summary>
    private sealed class Gate : ICriticalNotifyCompletion
    {
        private bool _open;
        private Action? _continuation;

        public bool IsCompleted => _open;

        public Gate GetAwaiter() => this;

        public void GetResult()
        {
        }

        public void Close() => _open = false;

        public void Open()
        {
            _open = true;
            Action? continuation = _continuation;
            _continuation = null;
            continuation?.Invoke();
        }

        public void OnCompleted(Action continuation) => _continuation = continuation;

        public void UnsafeOnCompleted(Action continuation) => _continuation = continuation;
    }
}
