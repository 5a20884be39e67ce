using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Meshy.Testing;

/// <summary>An <see cref="ILoggerFactory"/> that keeps every formatted message (all levels) for assertions.</summary>
public sealed class HttpLogCapture : ILoggerFactory
{
    private readonly ConcurrentQueue<string> _lines = new();

    /// <summary>Messages so far, in order.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(HttpLogCapture owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        // The exception's type and message go with the line: a test that fails on a cut connection can show why.
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue(exception is null ? formatter(state, exception) : $"{formatter(state, exception)} [{exception.GetType().Name}: {exception.Message}]");
    }
}
