package dev.junction.plugin.http;

import dev.junction.spi.GatewayException;
import dev.junction.spi.GatewayException.Source;
import dev.junction.spi.http.HttpStatusException;
import io.netty.channel.ConnectTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * What the proxy's two paths ({@link ProxyCall} and {@link LaneCall}) decide alike about failed attempts: how a
 * failure is classified, which status the client hears, and whether the route's retry policy allows another try.
 */
final class ProxyFailures {

    /** How an attempt failed, for the retry policy. */
    enum Kind { CONNECT, RESET, TIMEOUT, STATUS }

    private static final Duration LIMIT_RETRY_AFTER = Duration.ofSeconds(1);

    private ProxyFailures() {
    }

    /** Returns whether a failure after the request went out was a timeout or a reset. */
    static Kind kindOf(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t.getClass().getSimpleName().contains("Timeout")) {
                return Kind.TIMEOUT;
            }
        }
        return Kind.RESET;
    }

    /** Returns what the client hears when no endpoint could be leased: 503 for full limits, else 502. */
    static HttpStatusException noEndpoint(Throwable cause) {
        String message = "http: " + cause.getMessage();
        if (cause instanceof GatewayException gateway && gateway.source() == Source.INTERNAL) {
            return new HttpStatusException(503, LIMIT_RETRY_AFTER, Source.INTERNAL, true, message, cause);
        }
        return new HttpStatusException(502, Source.UPSTREAM, false, message, cause);
    }

    /** Returns what the client hears when an attempt at {@code where} failed: 504 for a timeout, else 502. */
    static HttpStatusException attemptFailed(String where, Throwable cause, Kind kind) {
        if (kind == Kind.TIMEOUT || cause instanceof ConnectTimeoutException) {
            return new HttpStatusException(504, Source.UPSTREAM, true, where + " timed out: " + cause.getMessage(),
                    cause);
        }
        String what = kind == Kind.CONNECT ? " connect failed: " : " failed: ";
        return new HttpStatusException(502, Source.UPSTREAM, true, where + what + cause.getMessage(), cause);
    }

    /** Returns whether the route's retry policy allows another attempt after a failure of {@code kind}. */
    static boolean retryAllowed(ProxyAction action, Kind kind, boolean idempotent) {
        return switch (kind) {
            case CONNECT -> action.retryOn.connectFailure();
            case RESET -> action.retryOn.reset() && idempotent;
            case TIMEOUT -> action.retryOn.timeout() && idempotent;
            case STATUS -> idempotent;
        };
    }
}
