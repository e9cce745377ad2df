package dev.junction.spi.http;

import dev.junction.spi.Experimental;
import dev.junction.spi.task.TaskScope;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;

/**
 * One HTTP request being routed by an HTTP listener, from the moment its head arrived until its response ended.
 *
 * <p>The request is <em>paused</em> when filters and the action see it: its body has not been read yet, so an
 * action can stream it upstream with backpressure ({@code clientRequest.send(exchange.request())}) and a filter
 * that answers locally loses nothing. Everything here is called on the request's event loop, except from blocking
 * filters, which run on a virtual thread while the event loop leaves the exchange alone: they may read it, change
 * request headers and answer through {@link #respond}, but must not read the body or keep the exchange once they
 * returned.
 *
 * <pre>{@code
 * HttpAction hello = exchange -> exchange.respond(200, "text/plain", Buffer.buffer("hello\n"));
 * }</pre>
 */
@Experimental
public interface HttpExchange {

    /** Returns the listener's name. */
    String listenerName();

    /** Returns the name of the route that matched. */
    String routeName();

    /** Returns the downstream request; paused until an action reads its body. */
    HttpServerRequest request();

    /** Returns the downstream response. Filters' response phases run just before its head is written. */
    default HttpServerResponse response() {
        return request().response();
    }

    /**
     * Returns the request path the route matched and the proxy forwards: percent-encoding normalised, dot
     * segments removed, then changed by rewrite filters. Never empty; starts with {@code /} (or is {@code *}).
     */
    String path();

    /** Replaces the path forwarded upstream, as rewrite filters do; {@code path} must start with {@code /}. */
    void path(String path);

    /** Returns the raw query string without {@code ?}, or {@code null} when the request had none. */
    String query();

    /** Returns the request's host (authority without a default port), lower case; empty when it had none. */
    String host();

    /** Returns the address of the peer that connected to the listener (not a forwarded-for value). */
    SocketAddress clientAddress();

    /**
     * Returns the client as the gateway trusts it: the peer address, or the first untrusted address of
     * {@code X-Forwarded-For} when the peer is a trusted proxy of this listener.
     */
    String clientIp();

    /** Returns {@code http} or {@code https}: the scheme the client used to reach this listener. */
    String scheme();

    /** Returns the scope of this request; it is cancelled when the client goes away or the listener drains. */
    TaskScope scope();

    /**
     * Answers locally with a complete response and ends the exchange: sets the status, {@code content-type} (when
     * not null) and body, runs the filters' response phases and ends the response. The exchange takes ownership
     * of {@code body}.
     */
    Future<Void> respond(int status, String contentType, Buffer body);

    /** Returns per-exchange values shared between filters and the action (claims, a rate-limit key). */
    MultiMap attributes();

    /**
     * Returns what the exchange records for the access log and metrics; actions that forward requests fill it in.
     */
    HttpExchangeLog log();
}
