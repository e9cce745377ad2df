package dev.junction.spi;

import java.util.Objects;

/**
 * A failure in the traffic path that says where it came from and whether trying again may help.
 *
 * <p>Messages are prefixed with the name of the plugin that raised them ({@code "tcp: connect to
 * 127.0.0.1:17001 timed out after 5s"}). Return these as failed futures; the layer that ends the exchange logs them
 * once.
 */
public class GatewayException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Where a failure originated. */
    public enum Source {
        /** The client: bad input, early close. */
        DOWNSTREAM,
        /** The upstream endpoint: refused, reset, timed out. */
        UPSTREAM,
        /** The gateway itself: a bug, a limit, a misconfiguration. */
        INTERNAL
    }

    private final Source source;
    private final boolean retryable;

    /** Creates a failure with the given origin and retry hint. */
    public GatewayException(Source source, boolean retryable, String message) {
        this(source, retryable, message, null);
    }

    /** Creates a failure with the given origin, retry hint and cause. */
    public GatewayException(Source source, boolean retryable, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.source = Objects.requireNonNull(source, "source");
        this.retryable = retryable;
    }

    /** Returns where the failure originated. */
    public Source source() {
        return source;
    }

    /** Returns whether the same operation against another endpoint (or later) may succeed. */
    public boolean retryable() {
        return retryable;
    }
}
