namespace Gateway.Oss.Signing;

/// <summary>A query parameter with name and value already percent-encoded for the canonical query.</summary>
internal readonly record struct CanonicalQueryParameter(string EncodedName, string EncodedValue);
