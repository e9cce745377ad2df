package dev.junction.spi.upstream;

import io.vertx.core.net.SocketAddress;
import java.util.Objects;

/**
 * One address of an upstream.
 *
 * @param host a host name or IP literal
 * @param port 1-65535
 * @param weight relative share for weighted balancing, at least 1
 */
public record Endpoint(String host, int port, int weight) {

    /** Creates an endpoint, validating its fields. */
    public Endpoint {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
        if (weight < 1) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: >= 1)");
        }
    }

    /** Creates an endpoint of weight 1. */
    public static Endpoint of(String host, int port) {
        return new Endpoint(host, port, 1);
    }

    /** Returns the endpoint as a Vert.x socket address. */
    public SocketAddress address() {
        return SocketAddress.inetSocketAddress(port, host);
    }

    /** Returns {@code host:port}, with brackets around IPv6 literals. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
