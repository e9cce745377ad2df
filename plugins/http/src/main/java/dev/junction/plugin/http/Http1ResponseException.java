package dev.junction.plugin.http;

import dev.junction.spi.GatewayException;

/** An upstream's HTTP/1.x response that cannot be forwarded safely: malformed, ambiguous or cut short. */
final class Http1ResponseException extends GatewayException {

    private static final long serialVersionUID = 1L;

    Http1ResponseException(String message) {
        super(Source.UPSTREAM, true, "http: invalid response from upstream: " + message);
    }
}
