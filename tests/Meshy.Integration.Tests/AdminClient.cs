using System.Net;

namespace Meshy.Integration.Tests;

/// <summary>Talks to a running meshy's admin endpoint.</summary>
internal sealed class AdminClient(IPEndPoint admin) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://{admin}/"), Timeout = TimeSpan.FromSeconds(10) };

    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
    {
        using HttpResponseMessage response = await _http.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<(HttpStatusCode Status, string Body)> PostAsync(string path)
    {
        using HttpResponseMessage response = await _http.PostAsync(path, content: null);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The value of one exact series line in /metrics, or null when absent.</summary>
    public async Task<double?> MetricAsync(string series)
    {
        (_, string body) = await GetAsync("metrics");
        foreach (string line in body.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return null;
    }

    public void Dispose() => _http.Dispose();
}
