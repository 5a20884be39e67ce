using Meshy.Engine.Runtime;

namespace Meshy.Engine.Http;

/// <summary>
/// A cluster's <c>read_timeout</c> on one upstream exchange: how long the proxy waits for the upstream's next
/// bytes (the response head, then each part of the body) once the whole request went out. A wait that outlasts
/// it resets the exchange (<see cref="Expired"/> then says why). Only waits count: a client slow to send its
/// body keeps the upstream waiting for it, and a client slow to read holds the response back, without either
/// starting the clock.
/// </summary>
/// <remarks>
/// One per pooled connection or stream, reused across requests: the timer moves only when a deadline comes
/// before the fire already due (<see cref="ReadDeadlineTimer"/>), so a wait costs a clock read, not the timer
/// queue's lock. The reader begins and ends waits; the request-body pump, on another thread, says when the
/// request is complete: a head wait that began before that starts timing then.
/// </remarks>
public sealed class UpstreamReadTimeout(Action abort) : IDisposable
{
    private const int Waiting = 1;

    // Orders a wait that began before the request was complete against the pump saying it now is.
    private readonly Lock _gate = new();

    private ReadDeadlineTimer? _timer;
    private TimeProvider? _time;
    private TimeSpan _timeout;
    private volatile bool _requestSent;
    private volatile bool _waitingForRequest;
    private volatile bool _expired;
    private volatile int _exchange;     // moves at Start and Stop: a late fire does not reset the next exchange

    /// <summary>True once a wait outlasted the timeout and the exchange was reset for it.</summary>
    public bool Expired => _expired;

    /// <summary>Applies <paramref name="timeout"/> (zero: none) to the waits of the exchange starting now.</summary>
    public void Start(TimeSpan timeout, TimeProvider time)
    {
        _exchange++;
        _time = time;
        _timeout = timeout;
        _expired = false;
        _requestSent = false;
        _waitingForRequest = false;
    }

    /// <summary>The exchange is over: its waits no longer time out (another user of the connection sets its own).</summary>
    public void Stop()
    {
        _exchange++;
        _timeout = TimeSpan.Zero;
        _timer?.Disarm();
    }

    /// <summary>
    /// A request without a body went out with its head, before the reader began any wait (the same flow sends
    /// the head, then reads): nothing to pair with, so no fence.
    /// </summary>
    public void RequestSentWithItsHead() => _requestSent = true;

    /// <summary>The request (head and body) went out completely: the body pump's call, racing the reader's waits.</summary>
    public void RequestSent()
    {
        if (_timeout <= TimeSpan.Zero)
        {
            return;
        }
        // Paired with WaitBegins: of a wait that began before this and this, at least one sees the other.
        _requestSent = true;
        Interlocked.MemoryBarrier();
        if (_waitingForRequest)
        {
            ArmForWaiter();
        }
    }

    /// <summary>
    /// A read found nothing and waits for the upstream until the returned scope is disposed:
    /// <c>using (timeout.Wait()) { result = await read; }</c>.
    /// </summary>
    public WaitScope Wait()
    {
        WaitBegins();
        return new WaitScope(this);
    }

    private void WaitBegins()
    {
        if (_timeout <= TimeSpan.Zero)
        {
            return;
        }
        if (_requestSent)
        {
            Arm();
            return;
        }
        _waitingForRequest = true;
        Interlocked.MemoryBarrier();
        if (_requestSent)
        {
            ArmForWaiter();
        }
    }

    /// <summary>The wait ended (bytes, the end, or a failure).</summary>
    private void WaitEnds()
    {
        if (_waitingForRequest)
        {
            lock (_gate)
            {
                _waitingForRequest = false; // an arm for this wait, if any, came before: the disarm below follows it
            }
        }
        _timer?.Disarm();
    }

    /// <summary>Stops and releases the timer (a later wait would make a new one); safe against a fire under way.</summary>
    public void Dispose() => Interlocked.Exchange(ref _timer, null)?.Dispose();

    private void Arm() => (_timer ??= new ReadDeadlineTimer(_time!, OnDeadline)).Arm(Waiting, _timeout);

    /// <summary>Arms once for a wait that began before the request was complete (both sides may get here).</summary>
    private void ArmForWaiter()
    {
        lock (_gate)
        {
            if (_waitingForRequest)
            {
                Arm();
                _waitingForRequest = false; // after the arm: a reader that sees it cleared disarms after it
            }
        }
    }

    private void OnDeadline()
    {
        int exchange = _exchange;
        // An exchange that ended meanwhile (its wait done, the connection lent to the next) is not this fire's.
        if (Volatile.Read(ref _timer) is { } timer && timer.TakeExpired() == Waiting && exchange == _exchange)
        {
            _expired = true;
            abort();
        }
    }

    /// <summary>One wait of <see cref="Wait"/>; disposing it ends the wait.</summary>
    public readonly struct WaitScope(UpstreamReadTimeout owner) : IDisposable
    {
        public void Dispose() => owner.WaitEnds();
    }
}
