package dev.junction.plugin.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;

/**
 * One request on its way to an upstream endpoint, as the proxy drives it: headers filled before the first write,
 * the body written with backpressure, the response awaited. Implemented over a pooled HTTP/1.1 connection
 * ({@link Http1Connection}) or over Vert.x's HTTP client ({@link VertxUpstreamRequest}, for h2c). Confined to the
 * calling event loop.
 */
interface UpstreamRequest {

    /** Returns the request headers; written with the head, so filled before the first write. */
    MultiMap headers();

    /** Sets the {@code Host} (or {@code :authority}) the request carries. */
    void authority(HostAndPort authority);

    /** Returns whether the request travels over HTTP/2. */
    boolean http2();

    /** Sends the body with the chunked coding (HTTP/1.1, length unknown). */
    void setChunked(boolean chunked);

    /** Writes a body chunk, taking ownership of it. */
    void write(Buffer chunk);

    /** Returns whether writes should pause until the drain handler runs. */
    boolean writeQueueFull();

    /** Sets what runs once the write queue has room again. */
    void drainHandler(Handler<Void> handler);

    /** Ends the request; sends the head first when nothing was written. */
    void end();

    /**
     * Ends the request as {@link #end()} does, with {@code trailers} after the body when it goes with the chunked
     * coding of HTTP/1.1; they are dropped otherwise: a body of known length has no place for them, and
     * {@link VertxUpstreamRequest} cannot send them.
     */
    void endWithTrailers(MultiMap trailers);

    /** Abandons the request: its connection is not reused. Failures it causes are not reported. */
    void reset();

    /** Completes with the response head, or fails when none came (refused, reset, closed, timed out). */
    Future<UpstreamResponse> response();

    /** An upstream response being read. */
    interface UpstreamResponse {

        int statusCode();

        /** Returns the response headers. */
        MultiMap responseHeaders();

        /** Returns the protocol version the upstream answered with. */
        HttpVersion version();

        /** Sets what receives each body chunk; the receiver owns it. */
        void handler(Handler<Buffer> handler);

        /** Sets what runs after the last chunk; trailers are readable then. */
        void endHandler(Handler<Void> handler);

        /** Sets what runs when the response fails after its head. */
        void exceptionHandler(Handler<Throwable> handler);

        /** Returns the trailers, empty until the end. */
        MultiMap trailers();

        void pause();

        void resume();
    }
}
