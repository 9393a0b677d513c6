using System.Buffers;

namespace Gateway.Oss.Signing;

/// <summary>A growable character buffer that starts on the stack and falls back to <see cref="ArrayPool{T}"/>,
/// so building a canonical request costs no heap allocation in the common case.</summary>
internal ref struct CharBuffer
{
    private char[]? _rented;
    private Span<char> _chars;
    private int _length;

    public CharBuffer(Span<char> initial)
    {
        _chars = initial;
        _rented = null;
        _length = 0;
    }

    public readonly int Length => _length;

    public readonly ReadOnlySpan<char> Written => _chars[.._length];

    public void Append(char c)
    {
        if (_length == _chars.Length)
        {
            Grow(1);
        }

        _chars[_length++] = c;
    }

    public void Append(scoped ReadOnlySpan<char> text)
    {
        if (_length > _chars.Length - text.Length)
        {
            Grow(text.Length);
        }

        text.CopyTo(_chars[_length..]);
        _length += text.Length;
    }

    /// <summary>Appends ASCII-lower-cased text; header names are compared and signed in lower case.</summary>
    public void AppendLowerAscii(scoped ReadOnlySpan<char> text)
    {
        if (_length > _chars.Length - text.Length)
        {
            Grow(text.Length);
        }

        var destination = _chars.Slice(_length, text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            destination[i] = AsciiText.ToLower(text[i]);
        }

        _length += text.Length;
    }

    /// <summary>Reserves <paramref name="count"/> characters and returns them for the caller to fill.</summary>
    public Span<char> AppendSpan(int count)
    {
        if (_length > _chars.Length - count)
        {
            Grow(count);
        }

        var span = _chars.Slice(_length, count);
        _length += count;
        return span;
    }

    public void Truncate(int length) => _length = Math.Clamp(length, 0, _length);

    public override readonly string ToString() => new(Written);

    public void Dispose()
    {
        var rented = _rented;
        this = default;
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    private void Grow(int additional)
    {
        var next = ArrayPool<char>.Shared.Rent(Math.Max(_chars.Length * 2, _length + additional));
        _chars[.._length].CopyTo(next);
        var previous = _rented;
        _chars = next;
        _rented = next;
        if (previous is not null)
        {
            ArrayPool<char>.Shared.Return(previous);
        }
    }
}
