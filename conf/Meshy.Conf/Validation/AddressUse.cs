namespace Meshy.Conf.Validation;

/// <summary>What an address is for, which decides what it may be.</summary>
internal enum AddressUse
{
    /// <summary>A socket to listen on: an IP literal or <c>localhost</c>, port 0–65535 (0 = any free port).</summary>
    Bind,
    /// <summary>An upstream to connect to: IP literal or DNS name, port 1–65535.</summary>
    Connect,
}
