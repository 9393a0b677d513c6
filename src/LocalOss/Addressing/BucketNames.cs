namespace LocalOss.Addressing;

/// <summary>OSS bucket naming rules: 3–63 characters of lower-case letters, digits and '-', starting and ending alphanumeric.</summary>
internal static class BucketNames
{
    public static bool IsValid(ReadOnlySpan<char> name)
    {
        if (name.Length is < 3 or > 63 || name[0] == '-' || name[^1] == '-')
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
