using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using LocalOss.Addressing;
using LocalOss.Throttling;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace LocalOss.Storage;

/// <summary>
/// Buckets are directories under the root. Every file is named by a hash of its key, so no key (<c>../x</c>,
/// <c>a/./b</c>, <c>C:\x</c>, 1023 bytes of Unicode) can reach outside its bucket or clash with the file
/// system's rules, and keys <c>a</c> and <c>a/b</c> can coexist. A bucket holds:
/// <list type="table">
/// <item><term><c>objects/&lt;xx&gt;/&lt;sha256(key)&gt;</c></term><description>the object while the bucket never had
/// versioning; afterwards, the key's "null" version (written before versioning, or while it was suspended).</description></item>
/// <item><term><c>versions/&lt;xx&gt;/&lt;sha256(key)&gt;/&lt;sequence&gt;-&lt;id&gt;</c></term><description>every other version
/// and delete marker of the key, one immutable file each, named so that the newest sorts last (<see cref="VersionIds"/>).</description></item>
/// <item><term><c>uploads/</c></term><description>files being written; each is renamed into place once complete.</description></item>
/// <item><term><c>versioning</c></term><description><c>Enabled</c> or <c>Suspended</c>; absent while the bucket never had versioning.</description></item>
/// </list>
/// Every file holds content and metadata together (<see cref="ObjectFile"/>) and appears by one rename, so a
/// reader sees a version whole or not at all. The current version of a key in a versioned bucket is the one
/// with the highest sequence among the null version and the version files; a reader opens the null version,
/// then tries the newer version files newest first, skipping any removed since the listing. It therefore always
/// serves one whole version, content and metadata from the same file, and its open handle keeps serving that
/// version even if a concurrent write or delete replaces it. When writes race the read, the version served may
/// already be superseded, as with any read that races a write.
/// </summary>
internal sealed class ObjectStore
{
    /// <summary>OSS's limit for a single PutObject.</summary>
    public const long MaxObjectSize = 5L * 1024 * 1024 * 1024;

    private const int CopyBufferSize = 64 * 1024;
    private const string ObjectsDirectory = "objects";
    private const string VersionsDirectory = "versions";
    private const string UploadsDirectory = "uploads";
    private const string VersioningFile = "versioning";

    // A delete marker is a version without content; what it "stores" is never served.
    private static readonly ObjectWrite DeleteMarkerWrite = new() { ContentType = "" };

    private readonly TimeProvider _timeProvider;
    private readonly VersionIds _versionIds;

    public ObjectStore(IOptions<LocalOssOptions> options, TimeProvider timeProvider)
    {
        RootPath = Path.GetFullPath(options.Value.Root);
        _timeProvider = timeProvider;
        _versionIds = new VersionIds(timeProvider);
    }

    public string RootPath { get; }

    public bool BucketExists(string bucket) => Directory.Exists(BucketPath(bucket));

    /// <returns>false when the bucket already existed.</returns>
    public bool CreateBucket(string bucket)
    {
        var path = BucketPath(bucket);
        if (Directory.Exists(path))
        {
            return false;
        }

        Directory.CreateDirectory(path);
        return true;
    }

    /// <summary>The bucket's versioning state, or null when it never had versioning.</summary>
    /// <remarks>Read from disk on every call (one stat for an unversioned bucket) so that it is never stale.</remarks>
    public LocalOssVersioningStatus? GetVersioning(string bucket)
    {
        var path = Path.Join(BucketPath(bucket), VersioningFile);
        if (!File.Exists(path))
        {
            return null;
        }

        return File.ReadAllText(path) switch
        {
            nameof(LocalOssVersioningStatus.Enabled) => LocalOssVersioningStatus.Enabled,
            nameof(LocalOssVersioningStatus.Suspended) => LocalOssVersioningStatus.Suspended,
            _ => throw new InvalidDataException($"The versioning state of bucket '{bucket}' is damaged."),
        };
    }

    /// <summary>Sets the versioning state; the state file is replaced by a rename, so readers see the old or the new state.</summary>
    public void SetVersioning(string bucket, LocalOssVersioningStatus status)
    {
        var temporaryPath = NewUploadPath(bucket);
        try
        {
            File.WriteAllText(temporaryPath, status.ToString());
            File.Move(temporaryPath, Path.Join(BucketPath(bucket), VersioningFile), overwrite: true);
        }
        catch
        {
            TryDelete(temporaryPath);
            throw;
        }
    }

    /// <summary>
    /// Opens the current version of an object, or returns null when there is none. In a versioned bucket the
    /// current version may be a delete marker (<see cref="ObjectMetadata.DeleteMarker"/>).
    /// </summary>
    public async ValueTask<StoredObject?> OpenCurrentAsync(string bucket, string key, bool versioned, CancellationToken cancellationToken)
    {
        var nullVersion = await TryOpenAsync(ObjectPath(bucket, key), key, cancellationToken);
        if (!versioned)
        {
            return nullVersion;
        }

        try
        {
            var nullSequence = nullVersion?.Metadata.Sequence ?? -1;
            foreach (var (sequence, path) in ListVersionsNewestFirst(bucket, key))
            {
                if (sequence <= nullSequence)
                {
                    break;
                }

                // A version deleted since the listing is skipped: the next one down was current after that delete.
                if (await TryOpenAsync(path, key, cancellationToken) is { } version)
                {
                    nullVersion?.Dispose();
                    return version;
                }
            }

            return nullVersion;
        }
        catch
        {
            nullVersion?.Dispose();
            throw;
        }
    }

    /// <summary>Opens one version by id (<c>"null"</c> included), or returns null when the key has no such version.</summary>
    public async ValueTask<StoredObject?> OpenVersionAsync(string bucket, string key, string versionId, CancellationToken cancellationToken) =>
        VersionPath(bucket, key, versionId) is { } path ? await TryOpenAsync(path, key, cancellationToken) : null;

    /// <summary>
    /// Streams <paramref name="content"/> to disk, hashing it on the way, then publishes it atomically: over the
    /// object (or the null version while versioning is suspended), or as a new version while it is enabled.
    /// </summary>
    public Task<ObjectWriteResult> PutAsync(string bucket, string key, Stream content, ObjectWrite write, CancellationToken cancellationToken) =>
        WriteAsync(bucket, key, content, write, deleteMarker: false, cancellationToken);

    /// <summary>
    /// DeleteObject without a version id. A bucket that never had versioning loses the object; a versioned one
    /// gains a delete marker on top of whatever the key holds, even nothing (as OSS does), which replaces the
    /// null version while versioning is suspended.
    /// </summary>
    /// <returns>The delete marker, or null in a bucket without versioning.</returns>
    public async Task<ObjectMetadata?> DeleteCurrentAsync(string bucket, string key, bool versioned, CancellationToken cancellationToken)
    {
        if (!versioned)
        {
            DeleteFile(ObjectPath(bucket, key));
            return null;
        }

        var marker = await WriteAsync(bucket, key, Stream.Null, DeleteMarkerWrite, deleteMarker: true, cancellationToken);
        return marker.Metadata;
    }

    /// <summary>Removes one version (<c>"null"</c> included) for good; the next newest becomes current. Nothing to remove is not an error.</summary>
    public async Task<VersionDeleteResult> DeleteVersionAsync(string bucket, string key, string versionId, CancellationToken cancellationToken)
    {
        if (VersionPath(bucket, key, versionId) is not { } path)
        {
            return new(DeleteMarker: false);
        }

        bool deleteMarker;
        using (var existing = await TryOpenAsync(path, key, cancellationToken))
        {
            if (existing is null)
            {
                return new(DeleteMarker: false);
            }

            deleteMarker = existing.Metadata.DeleteMarker;
        }

        DeleteFile(path);
        return new(deleteMarker);
    }

    private async Task<ObjectWriteResult> WriteAsync(string bucket, string key, Stream content, ObjectWrite write, bool deleteMarker, CancellationToken cancellationToken)
    {
        var temporaryPath = NewUploadPath(bucket);
        var published = false;
        try
        {
            ObjectMetadata metadata;
            LocalOssVersioningStatus? versioning;
            using (var handle = File.OpenHandle(temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.Asynchronous))
            {
                var (size, md5) = await CopyAndHashAsync(content, handle, write.Pacer, cancellationToken);
                if (size > MaxObjectSize)
                {
                    return new(ObjectWriteStatus.TooLarge, null);
                }

                if (write.ExpectedMd5 is not null && !CryptographicOperations.FixedTimeEquals(write.ExpectedMd5, md5))
                {
                    return new(ObjectWriteStatus.DigestMismatch, null);
                }

                // The state is read once the body is in, so a write that outlives a PutBucketVersioning follows the new state.
                versioning = GetVersioning(bucket);
                var (sequence, versionId) = versioning switch
                {
                    LocalOssVersioningStatus.Enabled => _versionIds.NextVersion(),
                    LocalOssVersioningStatus.Suspended => (_versionIds.NextSequence(), null),
                    _ => (0L, (string?)null),
                };
                metadata = new ObjectMetadata
                {
                    Key = key,
                    Size = size,
                    ETag = Convert.ToHexString(md5),
                    LastModified = TruncateToSeconds(_timeProvider.GetUtcNow()),
                    ContentType = write.ContentType,
                    Headers = write.Headers,
                    VersionId = versionId,
                    Sequence = sequence,
                    DeleteMarker = deleteMarker,
                };
                await RandomAccess.WriteAsync(handle, ObjectFile.EncodeTrailer(metadata), size, cancellationToken);
            }

            var path = metadata.VersionId is { } id
                ? Path.Join(KeyVersionsPath(bucket, key), VersionIds.FileName(metadata.Sequence, id))
                : ObjectPath(bucket, key);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);

            // OSS ignores x-oss-forbid-overwrite once a bucket has versioning: a write there never destroys an
            // enabled-era version, and replacing the null version is what suspended versioning means.
            if (!TryPublish(temporaryPath, path, write.ForbidOverwrite && versioning is null))
            {
                return new(ObjectWriteStatus.AlreadyExists, null);
            }

            published = true;
            return new(ObjectWriteStatus.Stored, metadata, versioning);
        }
        finally
        {
            if (!published)
            {
                TryDelete(temporaryPath);
            }
        }
    }

    /// <summary>The key's version files, newest first; a key without any has no directory.</summary>
    private List<(long Sequence, string Path)> ListVersionsNewestFirst(string bucket, string key)
    {
        string[] files;
        try
        {
            files = Directory.GetFiles(KeyVersionsPath(bucket, key));
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }

        var versions = new List<(long Sequence, string Path)>(files.Length);
        foreach (var file in files)
        {
            if (VersionIds.TryParseFileName(Path.GetFileName(file), out var sequence))
            {
                versions.Add((sequence, file));
            }
        }

        versions.Sort(static (a, b) => b.Sequence.CompareTo(a.Sequence));
        return versions;
    }

    private static async ValueTask<StoredObject?> TryOpenAsync(string path, string key, CancellationToken cancellationToken)
    {
        SafeFileHandle handle;
        try
        {
            // FileShare.Delete lets a concurrent PUT replace, or DELETE remove, the file while it is read (needed on Windows).
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            var metadata = await ObjectFile.ReadMetadataAsync(handle, cancellationToken);
            if (!string.Equals(metadata.Key, key, StringComparison.Ordinal))
            {
                throw new InvalidDataException("The object file belongs to a different key.");
            }

            return new StoredObject(handle, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static void DeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was ever stored under this hash prefix.
        }
    }

    /// <summary>The file of a version, or null for an id LocalOss cannot have issued (which then names no version).</summary>
    private string? VersionPath(string bucket, string key, string versionId)
    {
        if (versionId == VersionIds.Null)
        {
            return ObjectPath(bucket, key);
        }

        return VersionIds.TryGetSequence(versionId, out var sequence)
            ? Path.Join(KeyVersionsPath(bucket, key), VersionIds.FileName(sequence, versionId))
            : null;
    }

    private string NewUploadPath(string bucket)
    {
        var uploads = Path.Join(BucketPath(bucket), UploadsDirectory);
        Directory.CreateDirectory(uploads);
        return Path.Join(uploads, Guid.NewGuid().ToString("N"));
    }

    private string BucketPath(string bucket)
    {
        // Callers validate first; this guard keeps a future caller from turning a bucket name into a path escape.
        if (!BucketNames.IsValid(bucket))
        {
            throw new ArgumentException($"'{bucket}' is not a valid bucket name.", nameof(bucket));
        }

        return Path.Join(RootPath, bucket);
    }

    private string ObjectPath(string bucket, string key)
    {
        var name = KeyHash(key);
        return Path.Join(BucketPath(bucket), ObjectsDirectory, name[..2], name);
    }

    private string KeyVersionsPath(string bucket, string key)
    {
        var name = KeyHash(key);
        return Path.Join(BucketPath(bucket), VersionsDirectory, name[..2], name);
    }

    private static string KeyHash(string key)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return Convert.ToHexStringLower(hash);
    }

    private static async Task<(long Size, byte[] Md5)> CopyAndHashAsync(Stream content, SafeFileHandle handle, TransferPacer? pacer, CancellationToken cancellationToken)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        var chunk = pacer?.ChunkSize ?? CopyBufferSize;
        try
        {
            long size = 0;
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, chunk), cancellationToken)) > 0)
            {
                // Not reading is what slows an upload down: the client's sends stall once the socket buffers fill.
                if (pacer is not null)
                {
                    await pacer.AcquireAsync(read, cancellationToken);
                }

                md5.AppendData(buffer, 0, read);
                await RandomAccess.WriteAsync(handle, buffer.AsMemory(0, read), size, cancellationToken);
                size += read;
                if (size > MaxObjectSize)
                {
                    break;
                }
            }

            return (size, md5.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool TryPublish(string temporaryPath, string path, bool forbidOverwrite)
    {
        if (!forbidOverwrite)
        {
            File.Move(temporaryPath, path, overwrite: true);
            return true;
        }

        try
        {
            // Without overwrite, .NET moves with link+unlink on Unix, so "exists" is checked atomically.
            File.Move(temporaryPath, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover upload file is harmless; the original failure is what matters.
        }
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
