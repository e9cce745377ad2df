package dev.junction.spi.http;

import dev.junction.spi.Experimental;
import dev.junction.spi.GatewayException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A failure that says which HTTP status the client gets when nothing of the response was sent yet: 502 when an
 * upstream failed, 504 when it timed out, 503 (with {@code Retry-After}) when a limit is full. Actions return it
 * as a failed future; the listener answers with a short, non-leaky body and logs the message, not the client.
 */
@Experimental
public class HttpStatusException extends GatewayException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Duration retryAfter;

    /** Creates a failure answered with {@code status}. */
    public HttpStatusException(int status, Source source, boolean retryable, String message, Throwable cause) {
        this(status, null, source, retryable, message, cause);
    }

    /** Creates a failure answered with {@code status} and, when not null, {@code Retry-After}. */
    public HttpStatusException(int status, Duration retryAfter, Source source, boolean retryable, String message,
            Throwable cause) {
        super(Objects.requireNonNull(source, "source"), retryable, message, cause);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status: " + status + " (expected: 400-599)");
        }
        this.status = status;
        this.retryAfter = retryAfter;
    }

    /** Returns the status the client gets. */
    public int status() {
        return status;
    }

    /** Returns how long the client should wait before trying again, when the gateway knows. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
