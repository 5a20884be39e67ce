namespace Meshy.Cli.Hosting;

/// <summary>Readiness as admin <c>/ready</c> reports it: 503 before listeners are bound and while draining.</summary>
internal sealed class ProxyState
{
    private volatile bool _ready;
    private volatile bool _draining;

    public bool IsReady => _ready && !_draining;

    public bool IsDraining => _draining;

    public void MarkReady() => _ready = true;

    public void MarkDraining() => _draining = true;
}
