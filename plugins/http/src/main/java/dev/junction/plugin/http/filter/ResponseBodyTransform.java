package dev.junction.plugin.http.filter;

import io.vertx.core.buffer.Buffer;

/**
 * Changes a response body as it streams to the client, such as the {@code compression} filter's encoders. A
 * filter's response phase installs one on the exchange after fixing the headers it implies; from then on every
 * chunk written to the response passes through {@link #transform}, {@link #finish} supplies the last bytes before
 * the response ends, and {@link #close} frees resources when the response ends any other way (a reset, a failure).
 * Called on the exchange's event loop only.
 */
public interface ResponseBodyTransform extends AutoCloseable {

    /** Returns the bytes to send for {@code chunk}; may be empty. Does not take ownership of {@code chunk}. */
    Buffer transform(Buffer chunk);

    /** Returns the bytes to send before the response ends (may be empty) and frees resources. */
    Buffer finish();

    /** Frees resources without finishing; a no-op after {@link #finish()}. */
    @Override
    void close();
}
