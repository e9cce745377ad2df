package dev.junction.plugin.http.filter;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.encoder.Encoder;
import com.aayushatharva.brotli4j.encoder.EncoderJNI;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Compresses a response body as it streams, chunk by chunk, in {@code br} (RFC 7932) with Google's encoder through
 * brotli4j. Like {@link BodyEncoder}, every chunk is flushed, so what the upstream sent reaches the client without
 * waiting for more. The window is 256 KiB ({@value #WINDOW_BITS} bits) rather than the encoder's 4 MiB default:
 * each response being compressed holds one encoder in native memory, and a body streamed through a proxy gains
 * little from a larger one. Not thread-safe: one per response, used on its event loop. {@link #finish()} or
 * {@link #close()} must be called to free the native encoder.
 */
final class BrotliBodyEncoder implements ResponseBodyTransform {

    static final String CODING = "br";
    private static final int WINDOW_BITS = 18;
    private static final int INPUT_BUFFER = 16 * 1024;

    private final EncoderJNI.Wrapper encoder;
    private boolean closed;

    BrotliBodyEncoder(int quality) {
        try {
            encoder = new EncoderJNI.Wrapper(INPUT_BUFFER, quality, WINDOW_BITS, Encoder.Mode.GENERIC);
        } catch (IOException e) {
            throw new UncheckedIOException("brotli: cannot create an encoder", e);
        }
    }

    /** Returns null when brotli can be used here, or why it cannot (no native library for this platform). */
    static Throwable unavailability() {
        return Brotli4jLoader.isAvailable() ? null : Brotli4jLoader.getUnavailabilityCause();
    }

    @Override
    public Buffer transform(Buffer chunk) {
        Buffer out = Buffer.buffer(Math.max(64, chunk.length() / 2));
        if (chunk.length() == 0) {
            return out;
        }
        ByteBuffer input = encoder.getInputBuffer();
        int offset = 0;
        while (offset < chunk.length()) {
            input.clear();
            int length = Math.min(input.capacity(), chunk.length() - offset);
            input.put(chunk.getBytes(offset, offset + length));
            encoder.push(EncoderJNI.Operation.PROCESS, length);
            drain(out);
            offset += length;
        }
        encoder.push(EncoderJNI.Operation.FLUSH, 0);
        drain(out);
        return out;
    }

    @Override
    public Buffer finish() {
        Buffer out = Buffer.buffer(64);
        if (closed) {
            return out;
        }
        encoder.push(EncoderJNI.Operation.FINISH, 0);
        drain(out);
        while (!encoder.isFinished()) {
            encoder.push(EncoderJNI.Operation.FINISH, 0);
            drain(out);
        }
        close();
        return out;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            encoder.destroy();
        }
    }

    /** Moves what the encoder produced into {@code out}, until it has nothing more and consumed its input. */
    private void drain(Buffer out) {
        if (!encoder.isSuccess()) {
            throw new IllegalStateException("brotli: the encoder failed");
        }
        while (encoder.hasMoreOutput() || encoder.hasRemainingInput()) {
            if (encoder.hasMoreOutput()) {
                ByteBuffer produced = encoder.pull();
                byte[] bytes = new byte[produced.remaining()];
                produced.get(bytes);
                out.appendBytes(bytes);
            } else {
                encoder.push(EncoderJNI.Operation.PROCESS, 0);
            }
            if (!encoder.isSuccess()) {
                throw new IllegalStateException("brotli: the encoder failed");
            }
        }
    }
}
