using Meshy.Cli.Commands;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Meshy.Cli.Demo;

/// <summary>
/// <c>meshy demo</c> from start to end: start everything, run the tour, print what to try, serve
/// until Ctrl-C (unless <c>--no-serve</c>), stop. Exit 0 when every step behaved as configured, 1 when
/// a check failed or the proxy could not start.
/// </summary>
internal static class DemoRunner
{
    public static async Task<DemoRun> RunAsync(DemoOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        // Without --config-out the live file goes to a temp folder of its own, removed on the way out.
        DirectoryInfo? temporary = options.ConfigOut is null ? Directory.CreateTempSubdirectory("meshy-demo-") : null;
        try
        {
            return await RunInAsync(temporary is null ? options.ConfigOut! : Path.Combine(temporary.FullName, "demo.toml"), options, output, error, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                temporary?.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<DemoRun> RunInAsync(string configPath, DemoOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        DemoSession session;
        try
        {
            session = await DemoSession.StartAsync(options.Port, options.AdminPort, configPath, options.LogLevel, cancellationToken).ConfigureAwait(false);
        }
        catch (DemoStartException ex)
        {
            await error.WriteLineAsync($"meshy demo: {ex.Message}").ConfigureAwait(false);
            return new DemoRun(ExitCodes.Failed, []);
        }
        await using (session.ConfigureAwait(false))
        {
            // Ctrl-C and SIGTERM stop the host (its console lifetime); the tour and the serving stop with it.
            IHostApplicationLifetime lifetime = session.Host.Services.GetRequiredService<IHostApplicationLifetime>();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
            PrintIntro(output, session, options);

            IReadOnlyList<DemoStepResult> steps;
            try
            {
                var tour = new DemoTour(session, options.Short ? DemoSizes.Short : DemoSizes.Full, new DemoProgress(output, options.Interactive), output);
                steps = await tour.RunAsync(stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                await output.WriteLineAsync("\nstopped before the tour was over").ConfigureAwait(false);
                return new DemoRun(ExitCodes.Ok, []);
            }
            catch (Exception ex) when (ex is HttpRequestException or TimeoutException or InvalidOperationException or IOException)
            {
                // The proxy refused a step's config, admin did not answer, the file could not be written.
                await error.WriteLineAsync($"meshy demo: the tour stopped: {ex.Message}").ConfigureAwait(false);
                return new DemoRun(ExitCodes.Failed, []);
            }
            int passed = steps.Count(s => s.Passed);
            await output.WriteLineAsync($"\n{passed} of {steps.Count} steps behaved as configured{(passed == steps.Count ? "." : ": see FAILED above.")}").ConfigureAwait(false);
            int exitCode = passed == steps.Count ? ExitCodes.Ok : ExitCodes.Failed;
            if (options.Serve)
            {
                PrintTryIt(output, session);
                try
                {
                    await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
            return new DemoRun(exitCode, steps);
        }
    }

    private static void PrintIntro(TextWriter output, DemoSession session, DemoOptions options)
    {
        output.WriteLine("Meshy demo: three versions of one service behind the proxy, driven through eight traffic-management features.");
        output.WriteLine();
        output.WriteLine($"   proxy     http://{session.Proxy}/");
        output.WriteLine($"   admin     http://{session.Admin}/");
        foreach (DemoBackend backend in (DemoBackend[])[session.V1, session.V2, session.V3, session.Shadow])
        {
            output.WriteLine($"   {backend.Name,-8}  http://{backend.EndPoint}/");
        }
        output.WriteLine($"   config    {session.ConfigPath} (edited by each step, hot-reloaded)");
        output.WriteLine($"   requests  {(options.Short ? "short tour (--short)" : "full tour")}");
        output.Flush();
    }

    private static void PrintTryIt(TextWriter output, DemoSession session)
    {
        string proxy = $"http://{session.Proxy}";
        string admin = $"http://{session.Admin}";
        output.WriteLine($"""

            The proxy keeps serving the base config (all to v1, iPhones to v3). Try, then Ctrl-C to stop:

              curl -i {proxy}/                                  # v1
              curl -i -H 'user-agent: iPhone' {proxy}/          # v3
              curl -X POST 'http://{session.V1.EndPoint}/admin/fail?status=503'   # v1 answers 503 (also /admin/slow?ms=500, /admin/heal)
              curl {admin}/stats                                # endpoints and their request counts
              curl -s {admin}/metrics | grep istio_requests_total
              meshy route --config {session.ConfigPath} GET {proxy}/ -H 'user-agent: iPhone'

            Edit {session.ConfigPath} (say, the weights of rule "default"): Meshy reloads it when you save.
            """);
        output.Flush();
    }
}
