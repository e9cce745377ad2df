package dev.junction.spi.route;

/**
 * The shape of traffic a listener produces and an action or connector consumes; the vocabulary of bridging.
 * A route is valid when its action accepts the shape its listener produces.
 */
public enum TrafficShape {
    /** Duplex bytes: TCP, TLS, a WebSocket carrying binary frames. See {@link dev.junction.spi.stream.DuplexStream}. */
    STREAM,
    /** Individual datagrams or frames: UDP, a DNS message, a WebSocket message. */
    MESSAGE,
    /** Request followed by response: HTTP, a DNS query and its answer. */
    EXCHANGE
}
