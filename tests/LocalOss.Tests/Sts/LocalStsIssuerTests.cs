using LocalOss.Sts;
using LocalOss.Tests.Infrastructure;

namespace LocalOss.Tests.Sts;

public sealed class LocalStsIssuerTests
{
    private const string Role = "acs:ram::1234567890123456:role/gateway";
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 0, 500, TimeSpan.Zero);

    [Fact]
    public void Issued_credentials_look_like_sts_and_validate_to_their_secret()
    {
        var issuer = new LocalStsIssuer("issuer-key-for-tests", new ManualTimeProvider(Start));

        var issued = issuer.Issue(Role, "session", TimeSpan.FromHours(1));

        Assert.StartsWith("STS.", issued.AccessKeyId, StringComparison.Ordinal);
        Assert.True(issued.AccessKeyId[4..].All(char.IsAsciiLetterOrDigit));
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 13, 0, 0, TimeSpan.Zero), issued.Expiration);
        Assert.DoesNotContain(issued.AccessKeySecret, issued.SecurityToken, StringComparison.Ordinal);
        Assert.Equal(new StsTokenValidation(StsTokenStatus.Valid, issued.AccessKeySecret), issuer.Validate(issued.AccessKeyId, issued.SecurityToken, Start));
        Assert.Equal(1, issuer.IssuedCount);
        Assert.DoesNotContain(issued.AccessKeySecret, issued.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Another_instance_with_the_same_key_accepts_the_token()
    {
        var issued = new LocalStsIssuer("issuer-key-for-tests").Issue(Role, "session", TimeSpan.FromHours(1));

        var validation = new LocalStsIssuer("issuer-key-for-tests").Validate(issued.AccessKeyId, issued.SecurityToken, DateTimeOffset.UtcNow);

        Assert.Equal(StsTokenStatus.Valid, validation.Status);
        Assert.Equal(issued.AccessKeySecret, validation.AccessKeySecret);
    }

    [Fact]
    public void Token_is_expired_from_its_expiration_on()
    {
        var issuer = new LocalStsIssuer("issuer-key-for-tests", new ManualTimeProvider(Start));
        var issued = issuer.Issue(Role, "session", TimeSpan.FromSeconds(3));

        Assert.Equal(StsTokenStatus.Valid, issuer.Validate(issued.AccessKeyId, issued.SecurityToken, issued.Expiration.AddMilliseconds(-1)).Status);
        Assert.Equal(new StsTokenValidation(StsTokenStatus.Expired, null), issuer.Validate(issued.AccessKeyId, issued.SecurityToken, issued.Expiration));
    }

    [Fact]
    public void Token_of_another_key_a_tampered_token_and_a_foreign_issuer_are_invalid()
    {
        var issuer = new LocalStsIssuer("issuer-key-for-tests");
        var first = issuer.Issue(Role, "one", TimeSpan.FromHours(1));
        var second = issuer.Issue(Role, "two", TimeSpan.FromHours(1));
        var bytes = Convert.FromBase64String(first.SecurityToken);
        bytes[10] ^= 1;
        var now = DateTimeOffset.UtcNow;

        Assert.Equal(StsTokenStatus.Invalid, issuer.Validate(first.AccessKeyId, second.SecurityToken, now).Status);
        Assert.Equal(StsTokenStatus.Invalid, issuer.Validate(first.AccessKeyId, Convert.ToBase64String(bytes), now).Status);
        Assert.Equal(StsTokenStatus.Invalid, issuer.Validate(first.AccessKeyId, "not base64!", now).Status);
        Assert.Equal(StsTokenStatus.Invalid, new LocalStsIssuer("another-issuer-key!!").Validate(first.AccessKeyId, first.SecurityToken, now).Status);
    }

    [Fact]
    public void InvalidateAllIssued_invalidates_earlier_tokens_only()
    {
        var issuer = new LocalStsIssuer("issuer-key-for-tests");
        var before = issuer.Issue(Role, "session", TimeSpan.FromHours(1));

        issuer.InvalidateAllIssued();
        var after = issuer.Issue(Role, "session", TimeSpan.FromHours(1));

        var now = DateTimeOffset.UtcNow;
        Assert.Equal(StsTokenStatus.Invalid, issuer.Validate(before.AccessKeyId, before.SecurityToken, now).Status);
        Assert.Equal(StsTokenStatus.Valid, issuer.Validate(after.AccessKeyId, after.SecurityToken, now).Status);
    }

    [Fact]
    public void A_short_key_is_refused() =>
        Assert.Throws<ArgumentException>(() => new LocalStsIssuer("short"));
}
