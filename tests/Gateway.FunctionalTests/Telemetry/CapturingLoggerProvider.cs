using System.Collections.Concurrent;
using System.Text;

namespace Gateway.FunctionalTests.Telemetry;

/// <summary>
/// Keeps every log entry as text: category, event, formatted message, each structured value, the
/// scopes and the exception. The test then searches that text for what must never be logged.
/// </summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<string> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var entry = new StringBuilder()
                .Append(logLevel).Append(' ').Append(category).Append('[').Append(eventId.Id).Append(' ').Append(eventId.Name).Append("] ")
                .Append(formatter(state, exception));
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    entry.Append(" | ").Append(key).Append('=').Append(value);
                }
            }

            provider._scopes.ForEachScope(static (scope, text) => text.Append(" | scope: ").Append(scope), entry);
            if (exception is not null)
            {
                entry.Append(" | exception: ").Append(exception);
            }

            provider.Entries.Enqueue(entry.ToString());
        }
    }
}
