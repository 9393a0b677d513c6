namespace Gateway.WebConsole;

/// <summary>The <c>Gateway:Console</c> configuration section.</summary>
internal sealed class ConsoleOptions
{
    public const string SectionName = "Gateway:Console";

    /// <summary>
    /// Serve the web console at <c>/console/</c>. On by default: it is static files that hold no secret
    /// and can do nothing without an API key. Off, <c>/console</c> is just a code no link may have.
    /// </summary>
    public bool Enabled { get; set; } = true;
}
