namespace Meshy.Cli.Demo;

/// <summary>The demo could not start its proxy (a port taken, a config the proxy refused); the message says why.</summary>
internal sealed class DemoStartException(string message) : Exception(message);
