namespace Meshy.Conf.Compilation;

/// <summary>A valid config asks for a listener feature this build cannot serve yet; <c>meshy run</c> refuses to start with it.</summary>
public sealed class UnsupportedListenerException(string listener, string feature)
    : Exception($"listener '{listener}': {feature} is not served by this build of Meshy yet")
{
    public string Listener { get; } = listener;
}
