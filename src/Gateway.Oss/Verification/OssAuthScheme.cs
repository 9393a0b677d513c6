namespace Gateway.Oss.Verification;

/// <summary>How a request was authenticated.</summary>
public enum OssAuthScheme
{
    Anonymous,
    V4Header,
    V4Query,
    V1Header,
    V1Query,
}
