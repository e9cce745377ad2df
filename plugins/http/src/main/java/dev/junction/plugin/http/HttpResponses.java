package dev.junction.plugin.http;

import dev.junction.spi.GatewayException;
import dev.junction.spi.http.HttpStatusException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;

/** Short, non-leaky error responses the gateway writes itself, and the status a failure maps to. */
final class HttpResponses {

    static final String TEXT = "text/plain; charset=utf-8";
    /**
     * The status logged and counted for a request whose client went away before its response started (nginx's
     * 499); never sent.
     */
    static final int CLIENT_CLOSED_REQUEST = 499;

    private HttpResponses() {
    }

    /** Writes {@code status} with a one-line body naming it, and {@code Retry-After} when given. */
    static io.vertx.core.Future<Void> error(HttpServerResponse response, int status, Duration retryAfter) {
        response.setStatusCode(status);
        response.headers().set(HttpHeaders.CONTENT_TYPE, TEXT);
        if (retryAfter != null) {
            long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
            response.headers().set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        }
        return response.end(Buffer.buffer(status + " " + reason(status) + "\n"));
    }

    /** Returns the status for a failure that ended an exchange before its response started. */
    static int statusOf(Throwable failure) {
        if (failure instanceof HttpStatusException status) {
            return status.status();
        }
        if (failure instanceof GatewayException gateway && gateway.source() == GatewayException.Source.UPSTREAM) {
            return 502;
        }
        return 500;
    }

    static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).reasonPhrase();
        };
    }
}
