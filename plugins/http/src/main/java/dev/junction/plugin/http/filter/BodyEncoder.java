package dev.junction.plugin.http.filter;

import io.vertx.core.buffer.Buffer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Compresses a response body as it streams, chunk by chunk, in {@code gzip} (RFC 1952) or {@code deflate} (the
 * zlib format of RFC 1950, which is what HTTP's {@code deflate} means). Every chunk is flushed with
 * {@link Deflater#SYNC_FLUSH}, so what the upstream sent reaches the client without waiting for more (server-sent
 * events keep working); nothing is ever held beyond the deflater's window. Not thread-safe: one per response,
 * used on its event loop. {@link #finish()} or {@link #close()} must be called to free the native deflater.
 */
final class BodyEncoder implements ResponseBodyTransform {

    private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private final Deflater deflater;
    private final boolean gzip;
    private final CRC32 crc;
    private final byte[] output = new byte[8192];
    private boolean started;
    private boolean finished;

    BodyEncoder(String coding, int level) {
        this.gzip = coding.equals("gzip");
        if (!gzip && !coding.equals("deflate")) {
            throw new IllegalArgumentException("coding: " + coding + " (expected: gzip or deflate)");
        }
        this.crc = gzip ? new CRC32() : null;
        this.deflater = new Deflater(level, gzip);
    }

    /** Returns the coding's name, as {@code Content-Encoding} writes it. */
    String coding() {
        return gzip ? "gzip" : "deflate";
    }

    @Override
    public Buffer transform(Buffer chunk) {
        Buffer out = Buffer.buffer(Math.max(64, chunk.length() / 2));
        start(out);
        if (chunk.length() == 0) {
            return out;
        }
        byte[] input = chunk.getBytes();
        if (crc != null) {
            crc.update(input);
        }
        deflater.setInput(input);
        drain(out, Deflater.SYNC_FLUSH);
        return out;
    }

    @Override
    public Buffer finish() {
        Buffer out = Buffer.buffer(64);
        if (finished) {
            return out;
        }
        start(out);
        deflater.finish();
        while (!deflater.finished()) {
            int length = deflater.deflate(output, 0, output.length, Deflater.NO_FLUSH);
            out.appendBytes(output, 0, length);
        }
        if (crc != null) {
            appendIntLittleEndian(out, (int) crc.getValue());
            appendIntLittleEndian(out, (int) deflater.getBytesRead());
        }
        close();
        return out;
    }

    @Override
    public void close() {
        if (!finished) {
            finished = true;
            deflater.end();
        }
    }

    private void start(Buffer out) {
        if (!started) {
            started = true;
            if (gzip) {
                out.appendBytes(GZIP_HEADER);
            }
        }
    }

    private void drain(Buffer out, int flush) {
        while (true) {
            int length = deflater.deflate(output, 0, output.length, flush);
            out.appendBytes(output, 0, length);
            if (length < output.length && deflater.needsInput()) {
                return;
            }
        }
    }

    private static void appendIntLittleEndian(Buffer out, int value) {
        out.appendByte((byte) value).appendByte((byte) (value >>> 8)).appendByte((byte) (value >>> 16))
                .appendByte((byte) (value >>> 24));
    }
}
