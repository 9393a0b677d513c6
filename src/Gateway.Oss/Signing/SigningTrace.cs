namespace Gateway.Oss.Signing;

/// <summary>The intermediate strings of one signature, captured only when a test or a diagnostic asks for them.</summary>
internal sealed class SigningTrace
{
    public string? CanonicalRequest { get; set; }

    public string? StringToSign { get; set; }

    public string? Signature { get; set; }
}
