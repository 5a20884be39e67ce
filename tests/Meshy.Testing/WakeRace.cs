namespace Meshy.Testing;

/// <summary>
/// Races a wake-up against a wait that must see it, round after round, for lock-free signalling: each round
/// this thread notes the state a wait starts from, lets another thread wake once, and starts the wait at
/// the same moment. The wake-up came after the state was noted, so the wait must end; a lost wake-up
/// leaves it pending, and the round fails after a few seconds instead of hanging.
/// </summary>
public static class WakeRace
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <param name="rounds">How many rounds (a missed handshake shows up within a few thousand on two cores).</param>
    /// <param name="wake">The wake-up, run once per round on the other thread.</param>
    /// <param name="noteState">Runs before the wake-up is let go; returns what starts the wait from the state it noted.</param>
    public static async Task RunAsync(int rounds, Action wake, Func<Func<ValueTask>> noteState)
    {
        int released = 0;
        var waker = new Thread(() =>
        {
            for (int round = 1; round <= rounds; round++)
            {
                if (!SpinWait.SpinUntil(() => Volatile.Read(ref released) >= round, Patience))
                {
                    return;
                }
                wake();
            }
        }) { IsBackground = true };
        waker.Start();

        for (int round = 1; round <= rounds; round++)
        {
            Func<ValueTask> startWait = noteState();
            Volatile.Write(ref released, round);
            // Polled, not turned into a task: a continuation registered on the wait would change the race.
            ValueTask wait = startWait();
            if (!SpinWait.SpinUntil(() => wait.IsCompleted, TimeSpan.FromSeconds(5)))
            {
                throw new TimeoutException($"round {round}: the wait missed its wake-up");
            }
            await wait;
        }
        if (!waker.Join(Patience))
        {
            throw new TimeoutException("the waking thread did not finish");
        }
    }
}
