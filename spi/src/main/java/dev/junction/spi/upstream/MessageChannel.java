package dev.junction.spi.upstream;

import dev.junction.spi.Experimental;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

/** Datagrams exchanged with one upstream endpoint, opened by a {@link MessageConnector}. */
@Experimental
public interface MessageChannel {

    /** Sets the handler of datagrams from the endpoint. Buffer ownership: each buffer belongs to the handler. */
    MessageChannel handler(Handler<Buffer> handler);

    /** Sends a datagram to the endpoint. Buffer ownership: the caller must not change {@code datagram} afterwards. */
    Future<Void> send(Buffer datagram);

    /** Closes the channel. Idempotent. */
    Future<Void> close();
}
