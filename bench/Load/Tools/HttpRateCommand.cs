using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Meshy.Bench.Load.Cli;

namespace Meshy.Bench.Load.Tools;

/// <summary>
/// <c>http-rate --target HOST:PORT --rate 1000 --duration 10s [--warmup 2s]</c>: GET / on ONE
/// keep-alive connection on an open-loop schedule. Request i is due at t0 + i/rate and is sent then,
/// or as soon as the previous response is in when that is later (no pipelining); its latency runs
/// from the due time to the last byte of its response. A stall therefore counts against every
/// request that should have gone out during it, not only the one that waited (coordinated
/// omission, as wrk2 corrects it). Every latency is kept, so the percentiles are exact.
/// The warm-up runs the same schedule on the same connection, unrecorded, so neither this tool's
/// JIT nor the proxy's shows in the measured samples; then it prints <c>{"phase":"measure"}</c>
/// (the runner starts its CPU window on it) and at the end
/// <c>{"count":N,"errors":E,"seconds":S,"rate":R,"p50":ms,"p90":ms,"p99":ms,"p999":ms,"max":ms}</c>.
/// count = answered 2xx/3xx; errors = other statuses, timeouts (2 s), resets and requests still
/// unsent 5 s after the schedule ended. A failed connection is replaced and the schedule goes on.
/// </summary>
internal static class HttpRateCommand
{
    public const string MeasurePhaseLine = "{\"phase\":\"measure\"}";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);
    private const double NanosecondsPerMillisecond = 1e6;

    public static int Run(string[] args)
    {
        var options = CommandArgs.Parse(args, StdinWatch.Flag);
        IPEndPoint target = options.EndPoint("target");
        int rate = options.Int("rate", 1000, min: 1, max: 1_000_000);
        TimeSpan duration = options.Duration("duration", TimeSpan.FromSeconds(10));
        TimeSpan warmup = options.String("warmup") is "0" or "0s" ? TimeSpan.Zero : options.Duration("warmup", TimeSpan.Zero);
        bool watchStdin = options.Flag(StdinWatch.Flag);
        options.RejectUnknown();
        if (watchStdin)
        {
            StdinWatch.Start();
        }

        byte[] request = Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {target}\r\nUser-Agent: meshy-bench-rate\r\n\r\n");
        MonotonicClock.UseExactTimersOnThisThread();
        var schedule = new Schedule(target, request, rate);
        try
        {
            if (warmup > TimeSpan.Zero)
            {
                schedule.Run(warmup, latencies: null);
            }
            Console.Out.WriteLine(MeasurePhaseLine);
            Console.Out.Flush();

            double[] latencies = new double[checked((int)Math.Ceiling(rate * duration.TotalSeconds))];
            (int count, int errors, double seconds) = schedule.Run(duration, latencies);
            Span<double> sorted = latencies.AsSpan(0, count);
            sorted.Sort();
            Console.Out.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{{\"count\":{count},\"errors\":{errors},\"seconds\":{seconds:F4},\"rate\":{rate},"
                + $"\"p50\":{LatencyPercentiles.Of(sorted, 50):F4},\"p90\":{LatencyPercentiles.Of(sorted, 90):F4},"
                + $"\"p99\":{LatencyPercentiles.Of(sorted, 99):F4},\"p999\":{LatencyPercentiles.Of(sorted, 99.9):F4},"
                + $"\"max\":{(count == 0 ? 0 : sorted[^1]):F4}}}"));
            return count == 0 ? 1 : 0;
        }
        finally
        {
            schedule.Dispose();
        }
    }

    /// <summary>The open-loop sender; holds the connection across the warm-up and the measured run.</summary>
    private sealed class Schedule(IPEndPoint target, byte[] request, int rate) : IDisposable
    {
        private RateConnection? _connection;
        private string? _lastError;

        /// <summary>Runs <c>rate × duration</c> requests; records latencies (ms) when <paramref name="latencies"/> is given.</summary>
        public (int Count, int Errors, double Seconds) Run(TimeSpan duration, double[]? latencies)
        {
            int total = (int)Math.Ceiling(rate * duration.TotalSeconds);
            long start = MonotonicClock.NowNanoseconds();
            long giveUp = start + (long)((duration + Grace).TotalMilliseconds * NanosecondsPerMillisecond);
            int count = 0;
            int errors = 0;
            for (long i = 0; i < total; i++)
            {
                long due = start + (long)(i * 1e9 / rate);
                MonotonicClock.SleepUntil(due);
                if (MonotonicClock.NowNanoseconds() > giveUp)
                {
                    errors += (int)(total - i);                     // never sent: the proxy stalled for seconds
                    break;
                }
                if (TryExchange(out int status) && status is >= 200 and < 400)
                {
                    if (latencies is not null)
                    {
                        latencies[count] = (MonotonicClock.NowNanoseconds() - due) / NanosecondsPerMillisecond;
                    }
                    count++;
                }
                else
                {
                    errors++;
                }
            }
            double seconds = (MonotonicClock.NowNanoseconds() - start) / 1e9;
            if (errors > 0 && _lastError is not null)
            {
                Console.Error.WriteLine($"http-rate: {target}: {errors} errors, the last: {_lastError}");
            }
            return (count, errors, seconds);
        }

        public void Dispose() => _connection?.Dispose();

        private bool TryExchange(out int status)
        {
            status = 0;
            try
            {
                _connection ??= RateConnection.Open(target, Timeout);
                status = _connection.Exchange(request);
                if (!_connection.Reusable)
                {
                    Drop();
                }
                return true;
            }
            catch (Exception e) when (e is SocketException or IOException or FormatException)
            {
                // The connection's state is unknown (a late response would be read as the next one's).
                _lastError = e.Message;
                Drop();
                return false;
            }
        }

        private void Drop()
        {
            _connection?.Dispose();
            _connection = null;
        }
    }
}
