using Meshy.Bench.Load.Cli;
using Meshy.Bench.Load.Tools;
using Meshy.Bench.Micro;

namespace Meshy.Bench;

/// <summary>
/// Entry point of the bench suite. <c>micro</c> runs BenchmarkDotNet, <c>load</c> runs the
/// proxy-versus-peers load suite; the other commands are the load tools and upstreams that the
/// load runner starts as separate, CPU-pinned processes of this same assembly.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.Out.Write(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        string[] rest = args[1..];
        try
        {
            return args[0] switch
            {
                "micro" => MicroCommand.Run(rest),
                "load" => LoadCommand.Run(rest),
                "tcp-sink" => TcpSinkCommand.Run(rest),
                "tcp-blast" => TcpBlastCommand.Run(rest),
                "tcp-hold" => TcpHoldCommand.Run(rest),
                "http-upstream" => HttpUpstreamCommand.Run(rest),
                "http-rate" => HttpRateCommand.Run(rest),
                "meshy-config" => MeshyConfigCommand.Run(rest),
                _ => UnknownCommand(args[0]),
            };
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"meshy-bench {args[0]}: {e.Message}");
            return 2;
        }
    }

    private static int UnknownCommand(string name)
    {
        Console.Error.WriteLine($"meshy-bench: unknown command '{name}'");
        Console.Error.Write(Usage);
        return 2;
    }

    private const string Usage = """
        usage: dotnet run -c Release --project bench -- COMMAND [options]

          micro [FILTER] [BenchmarkDotNet options]   micro-benchmarks (FILTER is a glob on names, default *)
          load [--scenario NAME[,NAME]] [--peers meshy-plain,meshy-l4,haproxy,nginx,direct] [--duration 10s] [--rounds 3]
               [--warmup 2s] [--connections N] [--idle-connections 1000] [--meshy PATH | --no-meshy]
               [--baseline PATH] [--paired] [--bare-peers]
               [--nice N | --realtime] [--json FILE] [--html FILE] [--from FILE.json]
                                                     proxy load suite, see bench/README.md

        tools the load runner starts (each prints JSON on stdout):
          tcp-sink --port P                          accepts, sends one greeting byte, discards input
          tcp-blast --target HOST:PORT --duration 10s --connections N --chunk 65536
          tcp-hold --target HOST:PORT --connections N --hold 60s
          http-upstream --port P --body-size N       HTTP/1.1 keep-alive server with a fixed body
          http-rate --target HOST:PORT --rate 1000 --duration 10s [--warmup 2s]
                                                     fixed-rate GETs on one connection, latency percentiles
          meshy-config --listen P --admin P --upstream HOST:PORT [--h2c-upstream]
                                                     the meshy.toml the load suite runs Meshy with

        """;
}
