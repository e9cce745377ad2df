package dev.junction.spi.route;

import dev.junction.spi.Experimental;
import dev.junction.spi.task.TaskScope;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;

/**
 * The {@linkplain TrafficShape#MESSAGE message} traffic of one client: the datagrams a listener received from one
 * client address, kept together as a flow until the client falls silent for the listener's session timeout.
 *
 * <p>Datagrams have no backpressure: a flow that cannot keep up drops rather than buffers.
 */
@Experimental
public interface MessageFlow {

    /** Returns the listener's name. */
    String listenerName();

    /** Returns the name of the route that matched. */
    String routeName();

    /** Returns the client's address. */
    SocketAddress remoteAddress();

    /** Returns the scope of this flow; it ends when the flow times out or the listener is drained. */
    TaskScope scope();

    /**
     * Sets the handler of the client's datagrams, the first one included. Buffer ownership: each buffer belongs to
     * the handler.
     */
    MessageFlow handler(Handler<Buffer> handler);

    /**
     * Sends a datagram to the client. Buffer ownership: the flow may keep {@code datagram} until it is sent; the
     * caller must not change it afterwards.
     */
    Future<Void> send(Buffer datagram);

    /** Records bytes moved for the listener's metrics, as {@link StreamSession#recordBytes(long, long)} does. */
    void recordBytes(long fromClient, long toClient);
}
