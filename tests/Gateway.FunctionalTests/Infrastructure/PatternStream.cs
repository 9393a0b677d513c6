using System.Security.Cryptography;

namespace Gateway.FunctionalTests.Infrastructure;

/// <summary>
/// A read-only stream of a given length of pseudo-random bytes, generated on the fly, that hashes
/// what it produced: a large object for tests without a large file or array behind it.
/// </summary>
public sealed class PatternStream(long length) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Random _random = new(20261128);
    private long _position;

    /// <summary>SHA-256 of the whole stream, known once it was read to the end (it survives disposal).</summary>
    public byte[] Hash { get; private set; } = [];

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, length - _position);
        if (count <= 0)
        {
            return 0;
        }

        var slice = buffer[..count];
        _random.NextBytes(slice);
        _hash.AppendData(slice);
        _position += count;
        if (_position == length)
        {
            Hash = _hash.GetHashAndReset();
        }

        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
