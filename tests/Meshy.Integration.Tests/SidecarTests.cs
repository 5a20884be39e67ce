using System.Diagnostics;
using System.Text.RegularExpressions;
using Meshy.Testing;

namespace Meshy.Integration.Tests;

/// <summary>
/// The transparent sidecar end to end (#8), in two namespaces of the test's own: Meshy runs as root in
/// <c>client</c> with an <c>auto</c>, <c>original_destination</c> listener; <c>meshy iptables apply
/// --proxy-uid 0</c> redirects the namespace's outbound TCP to it; the client runs as uid 65534 (so it is
/// redirected while Meshy, uid 0, is not); the servers run in <c>upstream</c>.
/// </summary>
public sealed class SidecarTests
{
    // Servers of the upstream namespace: HTTP that answers its name and the request headers it got, and
    // a server-speaks-first line protocol (SMTP-like banner, then echo of one line).
    private const string ServerScript = """
        import socket, sys, threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        mode, address, port, name = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
        if mode == "http":
            class Handler(BaseHTTPRequestHandler):
                def do_GET(self):
                    body = ("served-by: " + name + "\n" + "".join(k.lower() + ": " + v + "\n" for k, v in self.headers.items())).encode()
                    self.send_response(200)
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args):
                    pass
            server = ThreadingHTTPServer((address, port), Handler)
            print("READY", flush=True)
            server.serve_forever()
        else:
            server = socket.create_server((address, port))
            print("READY", flush=True)
            while True:
                connection, _ = server.accept()
                connection.sendall(("220 " + name + " ready\r\n").encode())
                line = connection.makefile("rb").readline()
                connection.sendall(b"echo " + line)
                connection.close()
        """;

    [SidecarRootFact]
    public async Task Sidecar_RedirectedTraffic_IsRoutedPassedThroughAndCleanedUp()
    {
        await using SidecarNetwork network = await SidecarNetwork.CreateAsync();
        using var script = new TempConfig(ServerScript);
        string upstream = network.UpstreamAddress;
        var servers = new List<Process>();
        try
        {
            servers.Add(await StartServerAsync(network, script.Path, "http", 8080, "cluster-a"));
            servers.Add(await StartServerAsync(network, script.Path, "http", 8081, "cluster-b"));
            servers.Add(await StartServerAsync(network, script.Path, "banner", 2525, "smtp"));
            servers.Add(await StartServerAsync(network, script.Path, "http", 8082, "original"));

            using var config = new TempConfig($$"""
                [admin]
                address = "127.0.0.1:15000"

                [[listeners]]
                name = "outbound"
                address = "127.0.0.1:15001"
                protocol = "auto"
                original_destination = true
                routes = ["mesh", "other"]

                [[routes]]
                name = "mesh"
                hosts = ["{{upstream}}"]
                  [[routes.rules]]
                  name = "a"
                  headers.request.set = { x-through = "meshy" }
                  to = [{ cluster = "a" }]

                [[routes]]
                name = "other"
                hosts = ["other.example"]
                  [[routes.rules]]
                  name = "b"
                  headers.request.set = { x-through = "meshy" }
                  to = [{ cluster = "b" }]

                [[clusters]]
                name = "a"
                endpoints = [{ address = "{{upstream}}:8080" }]

                [[clusters]]
                name = "b"
                endpoints = [{ address = "{{upstream}}:8081" }]
                """);
            string before = await network.NatTableAsync();
            await using MeshyProcess meshy = MeshyProcess.Start(["run", "--config", config.Path, "--log-level", "Debug"], commandPrefix: network.InClient);
            await meshy.ListenerEndPointAsync("outbound");
            await SidecarNetwork.RunAsync([.. network.InClient, "dotnet", MeshyProcess.MeshyDll, "iptables", "apply", "--proxy-uid", "0"]);

            // 1. HTTP to the upstream's own address: redirected, routed by Host to cluster a, header added.
            //    Meshy's own connection to the upstream (uid 0) is not redirected, or it would loop and fail.
            string direct = await AsNobodyAsync(network, "curl", "-sS", "--max-time", "10", $"http://{upstream}:8080/hello");
            Assert.Contains("served-by: cluster-a", direct, StringComparison.Ordinal);
            Assert.Contains("x-through: meshy", direct, StringComparison.Ordinal);

            // 2. Another Host on the same address: the route table for it sends it to cluster b.
            string other = await AsNobodyAsync(network, "curl", "-sS", "--max-time", "10", "-H", "Host: other.example", $"http://{upstream}:8080/");
            Assert.Contains("served-by: cluster-b", other, StringComparison.Ordinal);
            Assert.Contains("x-through: meshy", other, StringComparison.Ordinal);

            // 2b. HTTP whose Host no route table takes: passed through, as HTTP, to the address the client dialled
            //     (port 8082 is no cluster's endpoint), untouched by any rule's header edits.
            string unrouted = await AsNobodyAsync(network, "curl", "-sS", "--max-time", "10", "-H", "Host: unrouted.example", $"http://{upstream}:8082/passthrough");
            Assert.Contains("served-by: original", unrouted, StringComparison.Ordinal);
            Assert.Contains("host: unrouted.example", unrouted, StringComparison.Ordinal);
            Assert.DoesNotContain("x-through", unrouted, StringComparison.Ordinal);
            await meshy.WaitForLineAsync(new Regex($@"passing the request through to original destination {Regex.Escape(upstream)}:8082"));

            // 3. A server-speaks-first protocol: the client waits for the banner, Meshy's sniff times out and
            //    passes the bytes through, untouched, to the original destination.
            string banner = await AsNobodyAsync(network, "bash", "-c",
                $"exec 3<>/dev/tcp/{upstream}/2525; head -n1 <&3; echo hello >&3; head -n1 <&3");
            Assert.Equal("220 smtp ready\necho hello", banner.Replace("\r", "", StringComparison.Ordinal).TrimEnd());
            await meshy.WaitForLineAsync(new Regex($@"passing through to original destination {Regex.Escape(upstream)}:2525"));
            Assert.DoesNotContain(meshy.Lines, line => line.Contains("it loops", StringComparison.Ordinal));

            // 4. clean: the nat table is as it was before apply.
            await SidecarNetwork.RunAsync([.. network.InClient, "dotnet", MeshyProcess.MeshyDll, "iptables", "clean"]);
            Assert.Equal(before, await network.NatTableAsync());
        }
        finally
        {
            foreach (Process server in servers)
            {
                server.Kill(entireProcessTree: true);
                server.Dispose();
            }
        }
    }

    private static async Task<string> AsNobodyAsync(SidecarNetwork network, params string[] command)
    {
        (_, string stdout, _) = await SidecarNetwork.RunAsync([.. network.InClient, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", .. command]);
        return stdout;
    }

    private static async Task<Process> StartServerAsync(SidecarNetwork network, string script, string mode, int port, string name)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string word in new[] { "netns", "exec", network.Upstream, "python3", script, mode, network.UpstreamAddress, port.ToString(System.Globalization.CultureInfo.InvariantCulture), name })
        {
            start.ArgumentList.Add(word);
        }
        Process process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string? line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line != "READY")
        {
            string error = await process.StandardError.ReadToEndAsync(timeout.Token);
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{mode} server on port {port} did not start: {line} {error}");
        }
        return process;
    }
}
