namespace LocalOss;

/// <summary>
/// A bucket's versioning state, as in PutBucketVersioning's <c>&lt;Status&gt;</c>. A bucket that never had
/// versioning has neither state, and (as in OSS) cannot return to that once one was set.
/// </summary>
public enum LocalOssVersioningStatus
{
    /// <summary>Every write creates a new version with its own id; DELETE without a version id adds a delete marker.</summary>
    Enabled,

    /// <summary>Writes replace the single "null" version; versions created while enabled are kept.</summary>
    Suspended,
}
