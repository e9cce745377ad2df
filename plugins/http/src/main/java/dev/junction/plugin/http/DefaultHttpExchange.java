package dev.junction.plugin.http;

import dev.junction.plugin.http.filter.ResponseBodyTransform;
import dev.junction.spi.http.HttpExchange;
import dev.junction.spi.http.HttpExchangeLog;
import dev.junction.spi.task.TaskScope;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * The listener's {@link HttpExchange}: one per request, confined to the request's event loop. It also carries what
 * the access log and metrics record, so it implements {@link HttpExchangeLog} itself.
 */
public final class DefaultHttpExchange implements HttpExchange, HttpExchangeLog, AccessLog.Entry {

    private final HttpListener listener;
    private final HttpServerRequest request;
    /** What filters and the action see: the request, counted against the body limit when its length is unknown. */
    private final HttpServerRequest exposed;
    private final String host;
    private final String originalPath;
    final long startNanos;
    private String path;
    private HttpListener.CompiledRoute route;
    private TaskScope scope;
    private MultiMap attributes;
    private String clientIp;
    private long bodyLimit;
    private ResponseBodyTransform responseTransform;
    private boolean headPrepared;
    private boolean transformable;

    boolean finished;
    Throwable failure;
    String upstream = "";
    String endpoint = "";
    long connectNanos;
    long firstByteNanos;
    int retries;

    DefaultHttpExchange(HttpListener listener, HttpServerRequest request, String host, String path, long startNanos) {
        this.listener = listener;
        this.request = request;
        this.host = host;
        this.originalPath = path;
        this.path = path;
        this.startNanos = startNanos;
        this.bodyLimit = listener.options().maxBodySize();
        this.exposed = BodyLimitedRequest.lengthUnknown(request)
                && request instanceof io.vertx.core.internal.http.HttpServerRequestInternal internal
                ? new BodyLimitedRequest(internal, this) : request;
    }

    void route(HttpListener.CompiledRoute route) {
        this.route = route;
    }

    HttpListener.CompiledRoute route() {
        return route;
    }

    HttpListener listener() {
        return listener;
    }

    @Override
    public String listenerName() {
        return listener.name();
    }

    @Override
    public String routeName() {
        return route == null ? "" : route.name();
    }

    @Override
    public HttpServerRequest request() {
        return exposed;
    }

    @Override
    public String path() {
        return path;
    }

    /** Returns the normalised path before any rewrite, as the access log shows it. */
    @Override
    public String originalPath() {
        return originalPath;
    }

    @Override
    public void path(String path) {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path: \"" + path + "\" (expected: starting with /)");
        }
        this.path = path;
    }

    @Override
    public String query() {
        return request.query();
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public SocketAddress clientAddress() {
        return request.remoteAddress();
    }

    @Override
    public String clientIp() {
        if (clientIp == null) {
            clientIp = ForwardedHeaders.clientIp(request, listener.options().trustedProxies());
        }
        return clientIp;
    }

    @Override
    public String scheme() {
        return request.isSSL() ? "https" : "http";
    }

    @Override
    public TaskScope scope() {
        if (scope == null) {
            scope = listener.plugin().tasks().open("http request " + listener.name(), Duration.ZERO);
        }
        return scope;
    }

    /** Ends the scope, if one was opened; cancels what still runs in it when the client went away. */
    void closeScope(boolean clientGone) {
        if (scope != null) {
            if (clientGone) {
                scope.cancel(new ClientGoneException());
            } else {
                scope.close();
            }
        }
    }

    @Override
    public Future<Void> respond(int status, String contentType, Buffer body) {
        HttpServerResponse response = request.response();
        if (response.headWritten() || response.ended()) {
            return Future.failedFuture(new IllegalStateException("http: the response was already started"));
        }
        response.setStatusCode(status);
        if (contentType != null) {
            response.headers().set(HttpHeaders.CONTENT_TYPE, contentType);
        }
        if (body == null || body.length() == 0 || status == 204 || status == 304
                || request.method() == io.vertx.core.http.HttpMethod.HEAD) {
            abandonResponseTransform();
            return body == null ? response.end() : response.end(body);
        }
        response.headers().set(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length()));
        prepareResponseHead(); // the filters' response phases may install a body transform
        boolean transformed = responseTransform != null;
        Buffer out = transformBody(body, true);
        if (transformed && !response.isChunked()) {
            response.headers().set(HttpHeaders.CONTENT_LENGTH, Integer.toString(out.length()));
        }
        return response.end(out);
    }

    /**
     * Runs the route's response phase once, before the response head is written, for a writer that passes every
     * body byte through {@link #transformBody}: filters may install a body transform (compression). The proxy and
     * {@link #respond} call it before their first write.
     */
    public void prepareResponseHead() {
        prepareResponseHead(true);
    }

    /**
     * Runs the response phase for a writer that knows nothing of transforms (another plugin's action writing the
     * response itself): the listener calls it from the response's headers-end hook, and filters that ask for a
     * transform are refused, so they leave the response as it is.
     */
    void prepareUntransformedResponseHead() {
        prepareResponseHead(false);
    }

    private void prepareResponseHead(boolean transformable) {
        if (!headPrepared) {
            headPrepared = true;
            this.transformable = transformable;
            if (route != null && route.hasFilters()) {
                route.filters().onResponse(this, request.response());
            }
        }
    }

    /**
     * Sets the transform that rewrites the response body as it is written (compression), replacing and closing an
     * earlier one. Filters call it from their response phase. Returns false when the response is written by an action
     * that does not apply transforms; the filter then still owns {@code transform} and must leave the response as
     * it is.
     */
    public boolean transformResponseBody(ResponseBodyTransform transform) {
        if (!transformable) {
            return false;
        }
        abandonResponseTransform();
        responseTransform = transform;
        return true;
    }

    /** Passes a body chunk through the transform, if any; {@code last} finishes it. Never returns null. */
    Buffer transformBody(Buffer chunk, boolean last) {
        ResponseBodyTransform transform = responseTransform;
        if (transform == null) {
            return chunk == null ? Buffer.buffer() : chunk;
        }
        Buffer out = chunk == null ? Buffer.buffer() : transform.transform(chunk);
        if (last) {
            Buffer tail = transform.finish();
            responseTransform = null;
            transform.close();
            if (tail.length() > 0) {
                out = out.length() == 0 ? tail : Buffer.buffer(out.length() + tail.length()).appendBuffer(out)
                        .appendBuffer(tail);
            }
        }
        return out;
    }

    /** Frees the transform of a response that will not be finished (a failure, a reset). */
    void abandonResponseTransform() {
        ResponseBodyTransform transform = responseTransform;
        responseTransform = null;
        if (transform != null) {
            transform.close();
        }
    }

    @Override
    public MultiMap attributes() {
        if (attributes == null) {
            attributes = MultiMap.caseInsensitiveMultiMap();
        }
        return attributes;
    }

    @Override
    public HttpExchangeLog log() {
        return this;
    }

    /** Returns the request body limit in bytes for this exchange; {@code 0} is unlimited. */
    public long bodyLimit() {
        return bodyLimit;
    }

    /** Lowers the request body limit for this exchange (a route's size-limit filter); never raises it. */
    public void limitBody(long maxBytes) {
        if (maxBytes > 0 && (bodyLimit == 0 || maxBytes < bodyLimit)) {
            bodyLimit = maxBytes;
        }
    }

    @Override
    public String methodName() {
        return request.method().name();
    }

    @Override
    public long bytesIn() {
        return request.bytesRead();
    }

    @Override
    public long bytesOut() {
        return request.response().bytesWritten();
    }

    @Override
    public String upstreamName() {
        return upstream;
    }

    @Override
    public String endpointName() {
        return endpoint;
    }

    @Override
    public long connectNanos() {
        return connectNanos;
    }

    @Override
    public long firstByteAfterNanos() {
        return firstByteNanos == 0 ? 0 : firstByteNanos - startNanos;
    }

    @Override
    public int retries() {
        return retries;
    }

    @Override
    public Throwable failure() {
        return failure;
    }

    @Override
    public void upstream(String upstream, String endpoint) {
        this.upstream = upstream;
        this.endpoint = endpoint;
    }

    @Override
    public void connectNanos(long nanos) {
        this.connectNanos = nanos;
    }

    @Override
    public void firstByteNanos(long nanos) {
        this.firstByteNanos = nanos;
    }

    @Override
    public void retried() {
        retries++;
    }
}
