using System.Net;
using Meshy.Bench.Load.Probes;

namespace Meshy.Bench.Load.Scenarios;

/// <summary>One run of one proxy: where to send load and what may be observed of the proxy.</summary>
internal sealed record MeasureContext(IPEndPoint Target, ProxyProbe Probe, LoadOptions Options);
