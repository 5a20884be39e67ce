using System.Runtime.CompilerServices;

namespace Meshy.Testing;

/// <summary>An awaitable the test opens by hand; the continuation runs inline on the opening thread.</summary>
public sealed class Gate(bool open = false) : ICriticalNotifyCompletion
{
    private bool _open = open;
    private Action? _continuation;

    public bool IsCompleted => _open;

    public Gate GetAwaiter() => this;

    public void GetResult()
    {
    }

    public void Close()
    {
        _open = false;
        _continuation = null;
    }

    public void Open()
    {
        _open = true;
        Action? continuation = _continuation;
        _continuation = null;
        continuation?.Invoke();
    }

    public void OnCompleted(Action continuation) => _continuation = continuation;

    public void UnsafeOnCompleted(Action continuation) => _continuation = continuation;
}
