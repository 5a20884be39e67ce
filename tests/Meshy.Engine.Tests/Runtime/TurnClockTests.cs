using System.Diagnostics;
using Meshy.Engine.Runtime;

namespace Meshy.Engine.Tests.Runtime;

/// <summary>
/// The engine's per-turn time: one clock read per turn on an engine thread, the clock itself anywhere else.
/// </summary>
public sealed class TurnClockTests
{
    [Fact]
    public void OffTheEngine_EveryReadIsTheClocks()
    {
        long first = TurnClock.GetTimestamp();
        SpinUntilTheClockMoves(first);

        Assert.True(TurnClock.GetTimestamp() > first);
        Assert.True(TurnTimeProvider.Instance.GetTimestamp() > first);
    }

    [Fact]
    public async Task OnAnEngineThread_OneTimePerTurn_ANewOneEachTurn()
    {
        (long, long, long, DateTimeOffset, DateTimeOffset, DateTimeOffset) reads = await RunOnEngineThread(() =>
        {
            TurnClock.BeginTurn();
            long first = TurnClock.GetTimestamp();
            DateTimeOffset firstUtc = TurnTimeProvider.Instance.GetUtcNow();
            SpinUntilTheClockMoves(first);
            Thread.Sleep(2); // the wall clock moves too
            long sameTurn = TurnTimeProvider.Instance.GetTimestamp();
            DateTimeOffset sameTurnUtc = TurnClock.GetUtcNow();
            TurnClock.BeginTurn();
            return (first, sameTurn, TurnClock.GetTimestamp(), firstUtc, sameTurnUtc, TurnClock.GetUtcNow());
        });

        (long first, long sameTurn, long nextTurn, DateTimeOffset firstUtc, DateTimeOffset sameTurnUtc, DateTimeOffset nextTurnUtc) = reads;
        Assert.Equal(first, sameTurn);
        Assert.True(nextTurn > first, "a new turn reads the clock again");
        Assert.Equal(firstUtc, sameTurnUtc);
        Assert.True(nextTurnUtc > firstUtc, "a new turn reads the wall clock again");
        Assert.Equal(TimeSpan.Zero, nextTurnUtc.Offset);
    }

    [Fact]
    public void TurnTime_IsInTheStopwatchsUnits()
    {
        Assert.Equal(Stopwatch.Frequency, TurnTimeProvider.Instance.TimestampFrequency);
        long before = Stopwatch.GetTimestamp();
        long turn = TurnTimeProvider.Instance.GetTimestamp();
        Assert.InRange(turn, before, Stopwatch.GetTimestamp());
    }

    [Fact]
    public void Elapsed_InOrder_TheTimeBetween_OutOfOrder_Zero()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), TurnClock.Elapsed(Stopwatch.Frequency, 3 * Stopwatch.Frequency));
        Assert.Equal(TimeSpan.Zero, TurnClock.Elapsed(3 * Stopwatch.Frequency, Stopwatch.Frequency));
    }

    private static Task<T> RunOnEngineThread<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            TurnClock.UseOnThisThread();
            try
            {
                done.SetResult(work());
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        });
        thread.Start();
        return done.Task;
    }

    private static void SpinUntilTheClockMoves(long from)
    {
        while (Stopwatch.GetTimestamp() <= from)
        {
            Thread.SpinWait(10);
        }
    }
}
