namespace Meshy.Engine.Runtime;

/// <summary>
/// The deadline of a connection's read (the idle wait between requests, the arrival of a request head, an
/// upstream's next bytes) on
/// one timer that moves only when a deadline comes before the fire already due. A keep-alive connection arms
/// its idle deadline again for every request, each one later than the last: that costs a clock read here, not
/// the timer queue's lock and its two clock reads. A fire before the deadline waits out the rest.
/// </summary>
/// <remarks>
/// Kinds are the caller's numbers; <see cref="None"/> means no deadline. <see cref="Arm"/> and
/// <see cref="Disarm"/> come one at a time (from the connection's reader, or serialized with it by the caller);
/// fires come from the timer's threads. <see cref="Dispose"/> may race a fire: a fire after it does nothing.
/// </remarks>
internal sealed class ReadDeadlineTimer : IDisposable
{
    /// <summary>No deadline, or none expired.</summary>
    public const int None = 0;

    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly Action _onExpired;

    // Moves of the timer and the fire's check of the deadline, so that _due always says when the last move fires.
    private readonly Lock _moving = new();

    private int _kind;
    private long _deadline;
    private int _expired;
    private bool _disposed;     // under _moving

    // When the timer is set to fire (a timestamp), or long.MaxValue when no fire is due.
    private long _due = long.MaxValue;

    /// <param name="time">The clock and the timer.</param>
    /// <param name="onExpired">Called (on a timer thread) when a deadline passes or <see cref="Expire"/> ends the wait.</param>
    public ReadDeadlineTimer(TimeProvider time, Action onExpired)
    {
        _time = time;
        _onExpired = onExpired;
        _timer = time.CreateTimer(static state => ((ReadDeadlineTimer)state!).OnFire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Waits for <paramref name="kind"/>'s deadline, <paramref name="dueTime"/> from now, in place of any other.</summary>
    public void Arm(int kind, TimeSpan dueTime)
    {
        long deadline = _time.GetTimestamp() + (long)(dueTime.TotalSeconds * _time.TimestampFrequency);
        // The deadline first, then the kind: a fire that sees the kind sees its deadline.
        Volatile.Write(ref _deadline, deadline);
        Volatile.Write(ref _kind, kind);
        Volatile.Write(ref _expired, None);
        // Paired with the fire's exchange of _due: either this read finds the fire spent (MaxValue) and moves the
        // timer, or that fire, still to come, reads this deadline and waits out the rest of it.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _due) <= deadline)
        {
            return;
        }
        lock (_moving)
        {
            MoveUnsynchronized();
        }
    }

    /// <summary>Ends the wait without moving the timer: a later fire finds no kind and does nothing.</summary>
    public void Disarm()
    {
        Volatile.Write(ref _kind, None);
        Volatile.Write(ref _expired, None);
    }

    /// <summary>The kind whose deadline passed (or that <see cref="Expire"/> gave), once; <see cref="None"/> otherwise.</summary>
    public int TakeExpired() => Interlocked.Exchange(ref _expired, None);

    /// <summary>Ends the wait now, as <paramref name="kind"/>'s deadline would (a connection told to drain).</summary>
    public void Expire(int kind)
    {
        Volatile.Write(ref _expired, kind);
        _onExpired();
    }

    /// <summary>Stops the timer for good: the connection is done reading.</summary>
    public void Stop()
    {
        lock (_moving)
        {
            Volatile.Write(ref _kind, None);
            Volatile.Write(ref _due, long.MaxValue);
            if (!_disposed)
            {
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Stops the timer and frees it; a fire already under way finds it disposed and leaves it alone.</summary>
    public void Dispose()
    {
        lock (_moving)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            Volatile.Write(ref _kind, None);
            _timer.Dispose();
        }
    }

    private void OnFire()
    {
        int kind;
        lock (_moving)
        {
            // This fire is spent; fenced (see Arm) before the kind and deadline are read.
            Interlocked.Exchange(ref _due, long.MaxValue);
            kind = Volatile.Read(ref _kind);
            if (kind == None)
            {
                return;
            }
            if (Volatile.Read(ref _deadline) > _time.GetTimestamp())
            {
                // Early: the deadline moved on since this fire was set, or the timer rounds to milliseconds.
                MoveUnsynchronized();
                return;
            }
            Volatile.Write(ref _expired, kind);
        }
        _onExpired();
    }

    /// <summary>Lock held: sets the timer for the current deadline, unless a fire is due by then anyway.</summary>
    private void MoveUnsynchronized()
    {
        long deadline = Volatile.Read(ref _deadline);
        if (_disposed || _due <= deadline)
        {
            return;
        }
        long wait = deadline - _time.GetTimestamp();
        Volatile.Write(ref _due, deadline);
        TimeSpan dueTime = wait > 0 ? TimeSpan.FromMilliseconds(Math.Ceiling(wait * 1000.0 / _time.TimestampFrequency)) : TimeSpan.Zero;
        _timer.Change(dueTime, Timeout.InfiniteTimeSpan);
    }
}
