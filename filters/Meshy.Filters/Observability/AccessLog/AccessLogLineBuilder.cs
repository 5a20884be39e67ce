using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text;
using System.Text.Unicode;
using Meshy.Engine.Runtime;

namespace Meshy.Filters.Observability.AccessLog;

/// <summary>
/// Writes one access-log line as UTF-8 JSON straight into a byte buffer (a slot of the
/// <see cref="AccessLogWriter"/>'s ring), replacing it with a larger one only for a line that does not fit.
/// </summary>
/// <remarks>
/// No JSON writer and no UTF-16: property names come pre-encoded (<see cref="AccessLogFields.JsonPrefix"/>),
/// numbers are formatted in place, and a string whose bytes are all printable ASCII other than a quote or a
/// backslash (nearly every path, authority, header and name) is copied as it is after one check.
/// Anything else is escaped (RFC 8259 §7): quote, backslash and control characters (DEL too) as escapes;
/// valid UTF-8 as it is; bytes that are not UTF-8 read as Latin-1 (obs-text) and transcoded.
/// </remarks>
internal ref struct AccessLogLineBuilder(byte[] buffer)
{
    // Kept as they are in a JSON string: printable ASCII (0x20–0x7E) except '"' and '\'.
    private static readonly SearchValues<byte> Plain = SearchValues.Create(PlainBytes(withNonAscii: false));

    // The same plus every byte ≥ 0x80: what a valid UTF-8 string keeps.
    private static readonly SearchValues<byte> PlainOrNonAscii = SearchValues.Create(PlainBytes(withNonAscii: true));

    // "2026-11-26T06:58:24": the part of the "time" field that changes once a second.
    private const int SecondLength = 19;

    [ThreadStatic]
    private static long t_second;

    [ThreadStatic]
    private static byte[]? t_secondText;

    private byte[] _buffer = buffer;
    private int _length;

    /// <summary>The buffer the line is in: the one given, or a larger copy when the line outgrew it.</summary>
    public readonly byte[] Buffer => _buffer;

    /// <summary>Bytes written so far.</summary>
    public readonly int Length => _length;

    /// <summary>Bytes written as they are (pre-encoded names, literals).</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Free(bytes.Length));
        _length += bytes.Length;
    }

    /// <summary>Overwrites the first byte written (the line's leading comma becomes its opening brace).</summary>
    public readonly void ReplaceFirst(byte value) => _buffer[0] = value;

    /// <summary><c>null</c>.</summary>
    public void WriteNull() => WriteRaw("null"u8);

    /// <summary>An integer.</summary>
    public void WriteNumber(long value)
    {
        Utf8Formatter.TryFormat(value, Free(20), out int written);
        _length += written;
    }

    /// <summary>
    /// The time between two <see cref="TurnClock"/> timestamps in milliseconds (zero when out of order), rounded to the microsecond
    /// (half to even, as <c>Math.Round(ms, 3)</c>) and written in its shortest form: <c>1.14</c>, <c>0.005</c>, <c>12</c>.
    /// </summary>
    public void WriteMilliseconds(long startTimestamp, long endTimestamp)
    {
        ulong ticks = (ulong)TurnClock.Elapsed(startTimestamp, endTimestamp).Ticks; // 100 ns each, never below zero
        ulong microseconds = ticks / 10;
        ulong remainder = ticks % 10;
        if (remainder > 5 || (remainder == 5 && (microseconds & 1) != 0))
        {
            microseconds++;
        }
        Span<byte> free = Free(32);
        Utf8Formatter.TryFormat(microseconds / 1000, free, out int at);
        at += WriteFraction((uint)(microseconds % 1000), free[at..], digits: 3);
        _length += at;
    }

    /// <summary>
    /// A UTC time (<see cref="DateTime"/> ticks) as a JSON string the way System.Text.Json writes a
    /// <see cref="DateTime"/>: ISO 8601 / RFC 3339 round-trip form (<c>"O"</c>, <c>2026-11-26T06:58:24.1234567Z</c>)
    /// with the fraction's trailing zeros (or a zero fraction) left out.
    /// </summary>
    public void WriteTime(long utcTicks)
    {
        Span<byte> free = Free(SecondLength + 12);
        free[0] = (byte)'"';
        long second = utcTicks / TimeSpan.TicksPerSecond;
        if (second != t_second || t_secondText is null)
        {
            // Once a second per thread: "O" up to the seconds.
            Span<byte> form = stackalloc byte[64];
            new DateTime(second * TimeSpan.TicksPerSecond, DateTimeKind.Utc).TryFormat(form, out _, "O", CultureInfo.InvariantCulture);
            t_secondText = form[..SecondLength].ToArray();
            t_second = second;
        }
        t_secondText.CopyTo(free[1..]);
        int at = 1 + SecondLength;
        at += WriteFraction((uint)(utcTicks % TimeSpan.TicksPerSecond), free[at..], digits: 7);
        free[at++] = (byte)'Z';
        free[at++] = (byte)'"';
        _length += at;
    }

    /// <summary>A string from the snapshot (a name, an address) as a JSON string, or <c>null</c>.</summary>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteNull();
            return;
        }
        Span<byte> free = Free(value.Length + 2);
        free[0] = (byte)'"';
        // Names are short: one scalar pass that narrows and checks beats two vectorised ones.
        int i = 0;
        for (; i < value.Length; i++)
        {
            char c = value[i];
            if (c - 0x20u > 0x7Eu - 0x20u || c is '"' or '\\')
            {
                WriteEscapedString(value);
                return;
            }
            free[1 + i] = (byte)c;
        }
        free[1 + i] = (byte)'"';
        _length += i + 2;
    }

    /// <summary>Request bytes (path, authority, a header value) as a JSON string: UTF-8 as is, anything else read as Latin-1.</summary>
    public void WriteString(ReadOnlySpan<byte> value)
    {
        int plain = value.IndexOfAnyExcept(Plain);
        if (plain < 0)
        {
            Span<byte> free = Free(value.Length + 2);
            free[0] = (byte)'"';
            value.CopyTo(free[1..]);
            free[1 + value.Length] = (byte)'"';
            _length += value.Length + 2;
            return;
        }
        WriteEscapedString(value, plain);
    }

    /// <summary>An IP address as a JSON string.</summary>
    public void WriteAddress(IPAddress address)
    {
        Span<byte> free = Free(2 + 64); // an IPv6 address with a scope id is at most 56 characters
        free[0] = (byte)'"';
        int written = address.TryFormat(free[1..], out int length) ? length : 0;
        free[1 + written] = (byte)'"';
        _length += written + 2;
    }

    /// <summary>
    /// The slow path of <see cref="WriteString(ReadOnlySpan{byte})"/>: <paramref name="plain"/> bytes need no
    /// escape, the rest is copied run by run with escapes between runs.
    /// </summary>
    private void WriteEscapedString(ReadOnlySpan<byte> value, int plain)
    {
        // Worst case: every byte becomes \u00XX.
        Span<byte> free = Free(value.Length * 6 + 2);
        free[0] = (byte)'"';
        value[..plain].CopyTo(free[1..]);
        int at = 1 + plain;
        ReadOnlySpan<byte> rest = value[plain..];
        // The prefix is ASCII, so the rest decides: valid UTF-8 passes through, else every byte is one Latin-1 character.
        SearchValues<byte> kept = Utf8.IsValid(rest) ? PlainOrNonAscii : Plain;
        while (!rest.IsEmpty)
        {
            int run = rest.IndexOfAnyExcept(kept);
            if (run < 0)
            {
                run = rest.Length;
            }
            rest[..run].CopyTo(free[at..]);
            at += run;
            if (run == rest.Length)
            {
                break;
            }
            byte b = rest[run];
            rest = rest[(run + 1)..];
            if (b >= 0x80)
            {
                // Latin-1 U+0080–U+00FF in UTF-8.
                free[at++] = (byte)(0xC0 | (b >> 6));
                free[at++] = (byte)(0x80 | (b & 0x3F));
            }
            else
            {
                at += Escape(b, free[at..]);
            }
        }
        free[at++] = (byte)'"';
        _length += at;
    }

    /// <summary>A snapshot string with non-ASCII characters or characters to escape: to UTF-8 (lone surrogates become U+FFFD), then escaped.</summary>
    private void WriteEscapedString(string value)
    {
        byte[] rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(value.Length));
        try
        {
            Utf8.FromUtf16(value, rented, out _, out int written, replaceInvalidSequences: true);
            WriteString(rented.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// <c>.</c> and the <paramref name="digits"/> digits of <paramref name="fraction"/> (leading zeros kept,
    /// trailing zeros left out), or nothing for 0; the bytes written.
    /// </summary>
    private static int WriteFraction(uint fraction, Span<byte> destination, int digits)
    {
        if (fraction == 0)
        {
            return 0;
        }
        // Divisions by the constant 10 only: the JIT turns them into multiplications.
        while (fraction % 10 == 0)
        {
            fraction /= 10;
            digits--;
        }
        destination[0] = (byte)'.';
        for (int i = digits; i > 0; i--)
        {
            destination[i] = (byte)('0' + fraction % 10);
            fraction /= 10;
        }
        return 1 + digits;
    }

    /// <summary>The escape of an ASCII byte a JSON string cannot carry as it is (RFC 8259 §7); its length.</summary>
    private static int Escape(byte b, Span<byte> destination)
    {
        byte shortForm = b switch
        {
            (byte)'"' => (byte)'"',
            (byte)'\\' => (byte)'\\',
            (byte)'\b' => (byte)'b',
            (byte)'\f' => (byte)'f',
            (byte)'\n' => (byte)'n',
            (byte)'\r' => (byte)'r',
            (byte)'\t' => (byte)'t',
            _ => 0,
        };
        destination[0] = (byte)'\\';
        if (shortForm != 0)
        {
            destination[1] = shortForm;
            return 2;
        }
        destination[1] = (byte)'u';
        destination[2] = (byte)'0';
        destination[3] = (byte)'0';
        destination[4] = "0123456789ABCDEF"u8[b >> 4];
        destination[5] = "0123456789ABCDEF"u8[b & 0xF];
        return 6;
    }

    /// <summary>At least <paramref name="size"/> free bytes after what is written, in a larger buffer if need be.</summary>
    private Span<byte> Free(int size)
    {
        if (_buffer.Length - _length < size)
        {
            Grow(size);
        }
        return _buffer.AsSpan(_length);
    }

    private void Grow(int size)
    {
        // NOTE: allocates; only a line longer than its slot's buffer (see AccessLogWriter's slot sizes) gets here.
        byte[] larger = new byte[BitOperations.RoundUpToPowerOf2((uint)(_length + size))];
        _buffer.AsSpan(0, _length).CopyTo(larger);
        _buffer = larger;
    }

    private static byte[] PlainBytes(bool withNonAscii)
    {
        var bytes = new List<byte>();
        for (int b = 0x20; b < (withNonAscii ? 0x100 : 0x7F); b++)
        {
            if (b is not ('"' or '\\' or 0x7F))
            {
                bytes.Add((byte)b);
            }
        }
        return [.. bytes];
    }
}
