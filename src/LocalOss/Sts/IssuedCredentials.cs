namespace LocalOss.Sts;

/// <summary>Temporary credentials minted by <see cref="LocalStsIssuer"/>, as STS hands them out.</summary>
/// <param name="Expiration">When they stop working, to the second (the precision STS reports).</param>
public sealed record IssuedCredentials(string AccessKeyId, string AccessKeySecret, string SecurityToken, DateTimeOffset Expiration)
{
    // Records print every member by default; the secret and the token must never reach a log or an assertion message.
    public override string ToString() =>
        $"IssuedCredentials {{ AccessKeyId = {AccessKeyId}, AccessKeySecret = ***, SecurityToken = ***, Expiration = {Expiration:O} }}";
}
