namespace Meshy.Cli.Demo;

/// <summary>One answer the tour got through the proxy.</summary>
/// <param name="Status">The status code; 0 when the request failed without one.</param>
/// <param name="Version">The <c>x-demo-version</c> that answered, or null for the proxy's own replies.</param>
/// <param name="Latency">From sending the request to the end of the body.</param>
internal readonly record struct DemoReply(int Status, string? Version, TimeSpan Latency)
{
    /// <summary>How the tables name it: the version for a 200 (<c>v1</c>), else the status with who answered (<c>503 v2</c>, <c>503 proxy</c>).</summary>
    public string Outcome => Status == 200 && Version is not null
        ? Version
        : $"{(Status == 0 ? "no answer" : Status.ToString(System.Globalization.CultureInfo.InvariantCulture))} {Version ?? "proxy"}";
}
