using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Meshy.Engine.Tasks;
using Meshy.Filters.Http2.Frames;

namespace Meshy.Filters.HttpConnectionManager;

/// <summary>
/// Tells HTTP/2 with prior knowledge from HTTP/1.1 on one port by the client's first bytes: the 24-byte
/// connection preface <c>PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n</c> (RFC 9113 §3.4) or anything else. Nothing is
/// consumed: the protocol's connection reads the same bytes (also those an <c>auto</c> listener's sniffer
/// already looked at, which it left in the pipe).
/// </summary>
/// <remarks>
/// The first byte decides for almost every HTTP/1.1 request (no method starts with "PRI *"). Waiting is
/// bounded: the first bytes within <c>idle_timeout</c> (silence closes, as an idle HTTP/1.1 connection
/// would), the rest of a started preface within <c>request_header_timeout</c>; a drain ends the wait.
/// </remarks>
internal static class Http2PrefaceDetector
{
    /// <summary>What the connection speaks.</summary>
    public enum Result : byte
    {
        /// <summary>Not the preface: HTTP/1.x.</summary>
        Http1,
        /// <summary>The full preface: HTTP/2.</summary>
        Http2,
        /// <summary>The client left or stayed silent: close.</summary>
        Closed,
    }

    /// <summary>Reads until the first bytes decide; leaves every byte in <paramref name="input"/>.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public static async ValueTask<Result> DetectAsync(PipeReader input, CancellationToken draining, HttpConnectionManagerSettings settings, TimeProvider time)
    {
        // Bytes already there (an auto listener sniffed them): no timer, no waiting.
        if (input.TryRead(out ReadResult ready))
        {
            Result? decided = Decide(ready.Buffer, ready.IsCompleted);
            if (decided is { } early)
            {
                input.AdvanceTo(ready.Buffer.Start);
                return early;
            }
            input.AdvanceTo(ready.Buffer.Start, ready.Buffer.End);
        }
        TimeSpan wait = settings.IdleTimeout > TimeSpan.Zero ? settings.IdleTimeout : Timeout.InfiniteTimeSpan;
        using var timeout = new CancellationTokenSource(wait, time);
        // A drain closes a connection that has not sent its first request yet, as HTTP/1.1 does between requests.
        using CancellationTokenRegistration drain = draining.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), timeout);
        bool started = false;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                // Silent client, a preface that never completed, or a drain.
                return Result.Closed;
            }
            if (result.IsCanceled)
            {
                // Drained before the first request: nothing to serve.
                return Result.Closed;
            }
            Result? decision = Decide(result.Buffer, result.IsCompleted);
            if (decision is { } done)
            {
                // consumed = examined = start: the next ReadAsync returns these same bytes at once.
                input.AdvanceTo(result.Buffer.Start);
                return done;
            }
            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (!started)
            {
                started = true;
                timeout.CancelAfter(settings.RequestHeaderTimeout);
            }
        }
    }

    /// <summary>The decision the bytes so far allow; null: they are a proper prefix of the preface, wait.</summary>
    internal static Result? Decide(in ReadOnlySequence<byte> buffer, bool completed)
    {
        if (buffer.IsEmpty)
        {
            return completed ? Result.Closed : null;
        }
        Span<byte> head = stackalloc byte[Http2Preface.Length];
        int length = (int)Math.Min(buffer.Length, Http2Preface.Length);
        buffer.Slice(0, length).CopyTo(head);
        if (!Http2Preface.ClientBytes.StartsWith(head[..length]))
        {
            return Result.Http1;
        }
        if (length == Http2Preface.Length)
        {
            return Result.Http2;
        }
        // A partial preface and then the end: not HTTP/2; HTTP/1.1 answers it (400) and closes.
        return completed ? Result.Http1 : null;
    }
}
