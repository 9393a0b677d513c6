using System.IO.Pipelines;
using LocalOss.Throttling;
using Microsoft.Win32.SafeHandles;

namespace LocalOss.Storage;

/// <summary>
/// An object opened for reading. The handle pins the version that was current when it was opened: a PUT
/// that replaces the file, or a DELETE, while the body is streaming does not change what this reader sends.
/// </summary>
internal sealed class StoredObject(SafeFileHandle handle, ObjectMetadata metadata) : IDisposable
{
    private const int ChunkSize = 64 * 1024;

    public ObjectMetadata Metadata { get; } = metadata;

    /// <summary>Streams <paramref name="length"/> content bytes from <paramref name="offset"/> straight into the response pipe.</summary>
    /// <param name="pacer">Holds each chunk back until an x-oss-traffic-limit allows it; null sends at full speed.</param>
    public async Task CopyToAsync(PipeWriter destination, long offset, long length, TransferPacer? pacer, CancellationToken cancellationToken)
    {
        while (length > 0)
        {
            var memory = destination.GetMemory(pacer?.ChunkSize ?? ChunkSize);
            var most = pacer is null ? length : Math.Min(length, pacer.ChunkSize);
            if (memory.Length > most)
            {
                memory = memory[..(int)most];
            }

            var read = await RandomAccess.ReadAsync(handle, memory, offset, cancellationToken);
            if (read == 0)
            {
                throw new InvalidDataException("The object file ended before its recorded size.");
            }

            if (pacer is not null)
            {
                await pacer.AcquireAsync(read, cancellationToken);
            }

            destination.Advance(read);
            offset += read;
            length -= read;

            var flush = await destination.FlushAsync(cancellationToken);
            if (flush.IsCanceled || flush.IsCompleted)
            {
                return;
            }
        }
    }

    public void Dispose() => handle.Dispose();
}
