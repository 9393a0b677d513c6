namespace Gateway.Oss.Signing;

/// <summary>A header to sign: the name in any case and the value as sent (trimmed when written).</summary>
internal readonly record struct HeaderField(string Name, string Value);
