using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace LocalOss.Storage;

/// <summary>
/// On-disk layout of one object: <c>[content][metadata JSON][int32 LE JSON length]["LocalOss"]</c>.
/// Content and metadata live in one file so that a single rename publishes both: a separate sidecar would
/// let a concurrent GET pair the new bytes with the old ETag and length. The metadata is a trailer, not a
/// header, because the ETag and size are only known once the body has streamed to disk.
/// </summary>
internal static class ObjectFile
{
    private const int FooterSize = sizeof(int) + 8;
    private const int MaxMetadataSize = 1024 * 1024;
    private static readonly byte[] Magic = "LocalOss"u8.ToArray();

    public static byte[] EncodeTrailer(ObjectMetadata metadata)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(metadata, ObjectMetadataJsonContext.Default.ObjectMetadata);
        var trailer = new byte[json.Length + FooterSize];
        json.CopyTo(trailer, 0);
        BinaryPrimitives.WriteInt32LittleEndian(trailer.AsSpan(json.Length), json.Length);
        Magic.CopyTo(trailer, json.Length + sizeof(int));
        return trailer;
    }

    /// <summary>Reads the trailer of an open object file.</summary>
    /// <exception cref="InvalidDataException">The file is not a LocalOss object file or is damaged.</exception>
    public static async ValueTask<ObjectMetadata> ReadMetadataAsync(SafeFileHandle handle, CancellationToken cancellationToken)
    {
        var fileLength = RandomAccess.GetLength(handle);
        if (fileLength < FooterSize)
        {
            throw new InvalidDataException("The object file is shorter than its footer.");
        }

        var footer = new byte[FooterSize];
        await ReadExactlyAsync(handle, footer, fileLength - FooterSize, cancellationToken);
        if (!footer.AsSpan(sizeof(int)).SequenceEqual(Magic))
        {
            throw new InvalidDataException("The object file has no LocalOss footer.");
        }

        var jsonLength = BinaryPrimitives.ReadInt32LittleEndian(footer);
        if (jsonLength is <= 0 or > MaxMetadataSize || jsonLength > fileLength - FooterSize)
        {
            throw new InvalidDataException("The object file's metadata length is out of range.");
        }

        var json = new byte[jsonLength];
        var contentLength = fileLength - FooterSize - jsonLength;
        await ReadExactlyAsync(handle, json, contentLength, cancellationToken);
        var metadata = JsonSerializer.Deserialize(json, ObjectMetadataJsonContext.Default.ObjectMetadata)
            ?? throw new InvalidDataException("The object file's metadata is empty.");
        if (metadata.Size != contentLength)
        {
            throw new InvalidDataException("The object file's content length disagrees with its metadata.");
        }

        return metadata;
    }

    private static async ValueTask ReadExactlyAsync(SafeFileHandle handle, Memory<byte> buffer, long offset, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            var read = await RandomAccess.ReadAsync(handle, buffer, offset, cancellationToken);
            if (read == 0)
            {
                throw new InvalidDataException("The object file ended early.");
            }

            buffer = buffer[read..];
            offset += read;
        }
    }
}
