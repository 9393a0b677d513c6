namespace Gateway.Oss.Signing;

internal static class OssUris
{
    // System.Uri would otherwise remove dot-segments, even escaped ones, and key "a/../c.txt"
    // would address "c.txt" (PITFALLS 4).
    private static readonly UriCreationOptions RawPath = new() { DangerousDisablePathAndQueryCanonicalization = true };

    public static Uri CreateRaw(string uri) => new(uri, in RawPath);
}
