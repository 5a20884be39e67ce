namespace Meshy.Bench.Load.Report;

/// <summary>One proxy in one scenario, reduced over its rounds.</summary>
/// <param name="Proxy">Proxy name.</param>
/// <param name="State">Measured, failed or skipped.</param>
/// <param name="Note">Why it failed or was skipped, or how many of its runs failed.</param>
/// <param name="Runs">Runs that measured.</param>
/// <param name="Medians">Median of each metric over the measured runs.</param>
/// <param name="Spreads">(max − min) / median of each metric over two or more measured runs: the noise.</param>
/// <param name="IsSubject">The proxy the ratios are about.</param>
/// <param name="IsBaseline">Not a proxy (<c>direct</c>).</param>
internal sealed record ProxySummary(
    string Proxy,
    ProxyState State,
    string? Note,
    int Runs,
    IReadOnlyDictionary<string, double> Medians,
    IReadOnlyDictionary<string, double> Spreads,
    bool IsSubject,
    bool IsBaseline);
