using Meshy.Conf.Schema;

namespace Meshy.Cli.Hosting;

/// <summary>The configuration <c>meshy run</c> loaded and validated before starting the host; null for the embedded default.</summary>
internal sealed record InitialConfig(MeshyConfig? Config);
