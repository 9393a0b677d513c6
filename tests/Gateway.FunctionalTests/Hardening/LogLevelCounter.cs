using System.Collections.Concurrent;
using System.Text;

namespace Gateway.FunctionalTests.Hardening;

/// <summary>
/// Counts the gateway's log entries by level and event, and keeps the text of the first Error and Critical ones
/// (with their exceptions). Bounded, so a long fuzz run costs no memory here.
/// </summary>
internal sealed class LogLevelCounter : ILoggerProvider
{
    private const int KeptEntries = 20;

    public ConcurrentDictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> Errors { get; } = new();

    public int ErrorCount => Counts.Where(static c => c.Key.StartsWith("Error ", StringComparison.Ordinal) || c.Key.StartsWith("Critical ", StringComparison.Ordinal)).Sum(static c => c.Value);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogLevelCounter owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel < LogLevel.Warning)
            {
                return;
            }

            owner.Counts.AddOrUpdate($"{logLevel} {category}[{eventId.Id}]", 1, static (_, n) => n + 1);
            if (logLevel >= LogLevel.Error && owner.Errors.Count < KeptEntries)
            {
                owner.Errors.Enqueue(new StringBuilder().Append(logLevel).Append(' ').Append(category).Append(": ").Append(formatter(state, exception)).Append(' ').Append(exception).ToString());
            }
        }
    }
}
