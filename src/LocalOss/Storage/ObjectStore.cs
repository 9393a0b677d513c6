using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using LocalOss.Addressing;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace LocalOss.Storage;

/// <summary>
/// Buckets are directories under the root; an object lives at
/// <c>&lt;bucket&gt;/objects/&lt;xx&gt;/&lt;sha256(key)&gt;</c>. Naming files by a hash of the key means no key
/// (<c>../x</c>, <c>a/./b</c>, <c>C:\x</c>, 1023 bytes of Unicode) can reach outside its bucket or clash with
/// the file system's rules, and keys <c>a</c> and <c>a/b</c> can coexist. Uploads stream to
/// <c>&lt;bucket&gt;/uploads/</c> and are renamed into place, so readers see the old object or the new one,
/// never a part.
/// </summary>
internal sealed class ObjectStore
{
    /// <summary>OSS's limit for a single PutObject.</summary>
    public const long MaxObjectSize = 5L * 1024 * 1024 * 1024;

    private const int CopyBufferSize = 64 * 1024;
    private const string ObjectsDirectory = "objects";
    private const string UploadsDirectory = "uploads";

    private readonly TimeProvider _timeProvider;

    public ObjectStore(IOptions<LocalOssOptions> options, TimeProvider timeProvider)
    {
        RootPath = Path.GetFullPath(options.Value.Root);
        _timeProvider = timeProvider;
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

    /// <summary>Opens the current version of an object, or returns null when there is none.</summary>
    public async ValueTask<StoredObject?> OpenAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        SafeFileHandle handle;
        try
        {
            // FileShare.Delete lets a concurrent PUT replace, or DELETE remove, the file while it is read (needed on Windows).
            handle = File.OpenHandle(ObjectPath(bucket, key), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
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

    /// <summary>Streams <paramref name="content"/> to disk, hashing it on the way, then publishes it atomically.</summary>
    public async Task<ObjectWriteResult> PutAsync(string bucket, string key, Stream content, ObjectWrite write, CancellationToken cancellationToken)
    {
        var uploads = Path.Join(BucketPath(bucket), UploadsDirectory);
        Directory.CreateDirectory(uploads);
        var temporaryPath = Path.Join(uploads, Guid.NewGuid().ToString("N"));
        var published = false;
        try
        {
            ObjectMetadata metadata;
            using (var handle = File.OpenHandle(temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.Asynchronous))
            {
                var (size, md5) = await CopyAndHashAsync(content, handle, cancellationToken);
                if (size > MaxObjectSize)
                {
                    return new(ObjectWriteStatus.TooLarge, null);
                }

                if (write.ExpectedMd5 is not null && !CryptographicOperations.FixedTimeEquals(write.ExpectedMd5, md5))
                {
                    return new(ObjectWriteStatus.DigestMismatch, null);
                }

                metadata = new ObjectMetadata
                {
                    Key = key,
                    Size = size,
                    ETag = Convert.ToHexString(md5),
                    LastModified = TruncateToSeconds(_timeProvider.GetUtcNow()),
                    ContentType = write.ContentType,
                    Headers = write.Headers,
                };
                await RandomAccess.WriteAsync(handle, ObjectFile.EncodeTrailer(metadata), size, cancellationToken);
            }

            var path = ObjectPath(bucket, key);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (!TryPublish(temporaryPath, path, write.ForbidOverwrite))
            {
                return new(ObjectWriteStatus.AlreadyExists, null);
            }

            published = true;
            return new(ObjectWriteStatus.Stored, metadata);
        }
        finally
        {
            if (!published)
            {
                TryDelete(temporaryPath);
            }
        }
    }

    /// <returns>false when there was nothing to delete.</returns>
    public bool Delete(string bucket, string key)
    {
        var path = ObjectPath(bucket, key);
        try
        {
            if (!File.Exists(path))
            {
                return false;
            }

            File.Delete(path);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
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
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        var name = Convert.ToHexStringLower(hash);
        return Path.Join(BucketPath(bucket), ObjectsDirectory, name[..2], name);
    }

    private static async Task<(long Size, byte[] Md5)> CopyAndHashAsync(Stream content, SafeFileHandle handle, CancellationToken cancellationToken)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            long size = 0;
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken)) > 0)
            {
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
