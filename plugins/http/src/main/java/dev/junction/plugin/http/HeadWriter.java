package dev.junction.plugin.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds a message head (request or status line, field lines) in a per-thread byte array and copies it into a
 * buffer of the right size in one go: heads are written piece by piece, and a buffer checks its bounds and
 * reference count on every write. Characters above U+00FF do not occur in heads written here (field values are
 * the bytes they were read as); the request target is written as UTF-8.
 */
final class HeadWriter implements ForwardedHeaders.FieldSink {

    private static final FastThreadLocal<HeadWriter> PER_THREAD = new FastThreadLocal<>() {
        @Override
        protected HeadWriter initialValue() {
            return new HeadWriter();
        }
    };
    private static final byte[] CRLF = {'\r', '\n'};

    private byte[] bytes = new byte[1024];
    private int length;

    private HeadWriter() {
    }

    /** Returns the calling thread's writer, emptied. Use it before the thread does anything else. */
    static HeadWriter get() {
        HeadWriter writer = PER_THREAD.get();
        writer.length = 0;
        return writer;
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }

    HeadWriter bytes(byte[] source) {
        return bytes(source, 0, source.length);
    }

    HeadWriter bytes(byte[] source, int from, int count) {
        ensure(count);
        System.arraycopy(source, from, bytes, length, count);
        length += count;
        return this;
    }

    HeadWriter ascii(char c) {
        ensure(1);
        bytes[length++] = (byte) c;
        return this;
    }

    /** Appends {@code text} one byte per character (ISO-8859-1, as header bytes were read). */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): exactly this, a copy for Latin-1 text
    HeadWriter latin1(CharSequence text) {
        if (text instanceof AsciiString ascii) {
            return bytes(ascii.array(), ascii.arrayOffset(), ascii.length());
        }
        int n = text.length();
        ensure(n);
        if (text instanceof String string) {
            string.getBytes(0, n, bytes, length);
        } else {
            for (int i = 0; i < n; i++) {
                bytes[length + i] = (byte) text.charAt(i);
            }
        }
        length += n;
        return this;
    }

    /** Appends {@code text} as UTF-8 (a request target may carry characters a client sent unencoded). */
    HeadWriter utf8(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return bytes(text.getBytes(StandardCharsets.UTF_8));
            }
        }
        return latin1(text);
    }


    HeadWriter crlf() {
        return bytes(CRLF);
    }

    /** Appends a field line. */
    @Override
    public void add(CharSequence name, CharSequence value) {
        latin1(name);
        ensure(2);
        bytes[length++] = ':';
        bytes[length++] = ' ';
        latin1(value);
        crlf();
    }

    /** Returns a buffer holding what was written. */
    ByteBuf toBuffer(ByteBufAllocator allocator) {
        return toBuffer(allocator, 0);
    }

    /** Returns a buffer holding what was written, with room for {@code more} bytes after it. */
    ByteBuf toBuffer(ByteBufAllocator allocator, int more) {
        ByteBuf out = allocator.buffer(length + more);
        out.writeBytes(bytes, 0, length);
        return out;
    }
}
