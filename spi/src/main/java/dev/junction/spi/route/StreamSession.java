package dev.junction.spi.route;

import dev.junction.spi.stream.DuplexStream;
import dev.junction.spi.task.TaskScope;

/**
 * One downstream stream being routed: the client's bytes, the scope that bounds its lifetime and what the
 * listener knows about it.
 */
public interface StreamSession {

    /** Returns the listener's name. */
    String listenerName();

    /** Returns the name of the route that matched. */
    String routeName();

    /** Returns the client's stream, paused until an action starts reading. */
    DuplexStream downstream();

    /** Returns the scope of this connection; it ends when the connection does or the listener is drained. */
    TaskScope scope();

    /**
     * Records bytes moved for the listener's metrics: {@code fromClient} read from the client, {@code toClient}
     * written to it. Actions that splice streams call this once at the end.
     */
    void recordBytes(long fromClient, long toClient);
}
