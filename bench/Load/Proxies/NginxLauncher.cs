using System.Globalization;
using System.Text;
using Meshy.Bench.Load.Processes;
using Meshy.Bench.Load.Report;

namespace Meshy.Bench.Load.Proxies;

/// <summary>
/// nginx with one worker: the <c>stream {}</c> module for L4 (loaded from the modules directory
/// when the build has it as a dynamic module) and <c>proxy_pass</c> to an upstream block with
/// <c>keepalive</c> for HTTP. Distribution defaults otherwise.
/// </summary>
internal sealed class NginxLauncher : IProxyLauncher
{
    private readonly string? _path = ExternalTool.Find("nginx");
    private readonly Lazy<BuildInfo> _build;

    public NginxLauncher()
    {
        _build = new Lazy<BuildInfo>(() => BuildInfo.Read(_path!));
    }

    public string Name => "nginx";

    public bool IsBaseline => false;

    public ToolInfo Describe()
    {
        if (_path is null)
        {
            return new ToolInfo(Name, false, null, InstallHint);
        }
        BuildInfo build = _build.Value;
        string? note = build.Stream == StreamSupport.None ? StreamMissing : null;
        return new ToolInfo(Name, true, build.Version, note);
    }

    public string? Unavailable(ProxyMode mode)
    {
        if (mode == ProxyMode.Http2CleartextBothWays)
        {
            return UpstreamHttp2Missing;
        }
        if (_path is null)
        {
            return $"nginx is not installed ({InstallHint})";
        }
        BuildInfo build = _build.Value;
        return mode switch
        {
            ProxyMode.Tcp when build.Stream == StreamSupport.None => StreamMissing,
            ProxyMode.Http2Cleartext when !build.Http2 => "this nginx build has no HTTP/2 module (--with-http_v2_module); apt-get install -y nginx-light",
            _ => null,
        };
    }

    public Task<RunningProxy> StartAsync(ProxyLaunch launch, CancellationToken cancellationToken)
    {
        string config = Path.Combine(launch.WorkDirectory, "nginx.conf");
        File.WriteAllText(config, Config(launch, _build.Value.StreamModulePath));
        // master + one worker; the worker inherits the master's CPU affinity from taskset.
        var command = new ProcessCommand(_path!, "-c", config, "-p", launch.WorkDirectory + "/").PinnedTo(launch.Cpu, launch.Scheduling);
        ChildProcess process = ChildProcess.Start(Name, command, workingDirectory: launch.WorkDirectory);
        return Task.FromResult(new RunningProxy(Name, new(System.Net.IPAddress.Loopback, launch.ListenPort), process, launch.Cpu));
    }

    /// <summary>The generated nginx.conf; <paramref name="streamModule"/> is loaded first when the stream module is dynamic.</summary>
    public static string Config(ProxyLaunch launch, string? streamModule)
    {
        string work = launch.WorkDirectory;
        var config = new StringBuilder();
        if (launch.Mode == ProxyMode.Tcp && streamModule is not null)
        {
            config.Append(CultureInfo.InvariantCulture, $"load_module {streamModule};\n");
        }
        config.Append(CultureInfo.InvariantCulture, $$"""
            daemon off;
            master_process on;
            worker_processes 1;
            worker_rlimit_nofile 20000;
            pid {{work}}/nginx.pid;
            error_log stderr warn;

            events {
                worker_connections 8192;
            }

            """);
        if (launch.Mode == ProxyMode.Tcp)
        {
            config.Append(CultureInfo.InvariantCulture, $$"""
                stream {
                    server {
                        listen 127.0.0.1:{{launch.ListenPort}};
                        proxy_pass {{launch.Upstream}};
                    }
                }

                """);
            return config.ToString();
        }

        string listenOptions = launch.Mode == ProxyMode.Http2Cleartext ? " http2" : "";
        config.Append(CultureInfo.InvariantCulture, $$"""
            http {
                access_log off;
                client_body_temp_path {{work}}/client_body;
                proxy_temp_path {{work}}/proxy;
                fastcgi_temp_path {{work}}/fastcgi;
                uwsgi_temp_path {{work}}/uwsgi;
                scgi_temp_path {{work}}/scgi;
                keepalive_requests 1000000;
                keepalive_timeout 120s;

                upstream upstream {
                    server {{launch.Upstream}};
                    keepalive 64;
                    keepalive_requests 1000000;
                }

            {{(launch.PeersForward ? RequestIdMap : "")}}
                server {
                    listen 127.0.0.1:{{launch.ListenPort}}{{listenOptions}};
                    location / {
                        proxy_pass http://upstream;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
            {{(launch.PeersForward ? ForwardingLines : "")}}
                    }
                }
            }

            """);
        return config.ToString();
    }

    // The job Meshy's router does on every request (see ProxyLaunch.PeersForward): the client appended to
    // X-Forwarded-For, the scheme, and the client's request id or else nginx's own (32 random hex digits).
    private const string RequestIdMap = """
                map $http_x_request_id $forwarded_request_id {
                    "" $request_id;
                    default $http_x_request_id;
                }

        """;

    private const string ForwardingLines = """
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_set_header X-Forwarded-Proto $scheme;
                        proxy_set_header X-Request-ID $forwarded_request_id;
        """;

    private const string InstallHint = "apt-get install -y nginx-light";

    /// <summary>Why nginx sits out <see cref="ProxyMode.Http2CleartextBothWays"/>, whatever the build.</summary>
    public const string UpstreamHttp2Missing =
        "nginx's proxy_pass speaks HTTP/1.x only to upstreams (no HTTP/2 upstream support in any build), so it has no h2c-to-h2c path";
    private const string StreamInstallHint = "apt-get install -y libnginx-mod-stream";
    private const string StreamMissing =
        "this nginx has no stream {} module (nginx-light builds it as a dynamic module that is not installed); " + StreamInstallHint;

    private enum StreamSupport
    {
        None,
        Static,
        Dynamic,
    }

    /// <summary>What <c>nginx -V</c> says about the build.</summary>
    private sealed record BuildInfo(string Version, StreamSupport Stream, string? StreamModulePath, bool Http2)
    {
        public static BuildInfo Read(string path)
        {
            string output = ExternalTool.Output(path, "-V");
            string version = ExternalTool.LineWith(output, "nginx version:")?.Replace("nginx version: ", "", StringComparison.Ordinal) ?? "unknown version";
            string[] arguments = output.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            string modules = arguments.FirstOrDefault(a => a.StartsWith("--modules-path=", StringComparison.Ordinal))?["--modules-path=".Length..]
                ?? "/usr/lib/nginx/modules";
            string modulePath = Path.Combine(modules, "ngx_stream_module.so");
            // NOTE: match whole arguments: "--with-stream_ssl_module" is present even without the stream module itself.
            StreamSupport stream = arguments.Contains("--with-stream") ? StreamSupport.Static
                : arguments.Contains("--with-stream=dynamic") && File.Exists(modulePath) ? StreamSupport.Dynamic
                : StreamSupport.None;
            return new BuildInfo(version, stream, stream == StreamSupport.Dynamic ? modulePath : null, arguments.Contains("--with-http_v2_module"));
        }
    }
}
