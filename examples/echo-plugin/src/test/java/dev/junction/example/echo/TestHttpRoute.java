package dev.junction.example.echo;

import dev.junction.spi.filter.Filter;
import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.http.BlockingHttpFilter;
import dev.junction.spi.http.HttpAction;
import dev.junction.spi.http.HttpExchange;
import dev.junction.spi.http.HttpExchangeLog;
import dev.junction.spi.http.HttpFilter;
import dev.junction.spi.task.TaskScope;
import dev.junction.testkit.TestTasks;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP route on a real Vert.x server, run as an HTTP listener runs it: the request arrives paused, the filters'
 * request phases run in order (blocking filters off the event loop), then the action; the response phases run in
 * reverse order just before the response head is written. Enough of a listener to test a plugin's HTTP actions and
 * filters without depending on the HTTP plugin.
 */
final class TestHttpRoute implements AutoCloseable {

    static final String LISTENER = "http-in";
    static final String ROUTE = "upper";

    private final HttpServer server;
    private final TestTasks tasks;
    private final List<Filter> filters;
    private final HttpAction action;
    /** What each served exchange's action returned, or the filters' stop reason; in arrival order. */
    final List<Future<?>> outcomes = new CopyOnWriteArrayList<>();

    private TestHttpRoute(Vertx vertx, List<Filter> filters, HttpAction action) {
        this.tasks = new TestTasks(vertx);
        this.filters = filters;
        this.action = action;
        this.server = vertx.createHttpServer().requestHandler(this::handle);
    }

    /** Starts a server on an ephemeral loopback port serving {@code action} behind {@code filters}. */
    static TestHttpRoute start(Vertx vertx, List<Filter> filters, HttpAction action) throws Exception {
        TestHttpRoute route = new TestHttpRoute(vertx, filters, action);
        route.server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return route;
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.actualPort() + path;
    }

    int port() {
        return server.actualPort();
    }

    private void handle(HttpServerRequest request) {
        request.pause();
        Exchange exchange = new Exchange(request, tasks.open("http request", Duration.ZERO));
        HttpServerResponse response = request.response();
        response.headersEndHandler(v -> {
            for (Filter filter : filters.reversed()) {
                if (filter instanceof HttpFilter httpFilter) {
                    httpFilter.onResponse(exchange, response);
                }
            }
        });
        Future<Void> done = requestPhase(exchange, 0).compose(decision -> {
            if (decision.proceeds()) {
                return action.handle(exchange);
            }
            if (!response.headWritten()) {
                response.setStatusCode(403).end(); // a filter that stopped without answering
            }
            return Future.failedFuture(new FilterStopped(decision.reason()));
        });
        outcomes.add(done);
        done.onComplete(result -> {
            if (result.failed() && !(result.cause() instanceof FilterStopped) && !response.ended()) {
                if (response.headWritten()) {
                    response.reset();
                } else {
                    response.setStatusCode(500).end();
                }
            }
            exchange.scope.close();
        });
    }

    private Future<FilterDecision> requestPhase(HttpExchange exchange, int index) {
        if (index == filters.size()) {
            return Future.succeededFuture(FilterDecision.proceed());
        }
        Filter filter = filters.get(index);
        Future<FilterDecision> decision = filter instanceof BlockingHttpFilter blocking
                ? exchange.scope().runBlocking(() -> blocking.onRequest(exchange))
                : ((HttpFilter) filter).onRequest(exchange);
        return decision.compose(d -> d.proceeds() ? requestPhase(exchange, index + 1) : Future.succeededFuture(d));
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** How an exchange ends whose filters stopped it. */
    static final class FilterStopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FilterStopped(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The exchange of one request; the path is taken as the client sent it (a listener normalises it). */
    private static final class Exchange implements HttpExchange, HttpExchangeLog {
        private final HttpServerRequest request;
        private final TaskScope scope;
        private final MultiMap attributes = MultiMap.caseInsensitiveMultiMap();
        private String path;

        Exchange(HttpServerRequest request, TaskScope scope) {
            this.request = request;
            this.scope = scope;
            this.path = request.path();
        }

        public String listenerName() {
            return LISTENER;
        }

        public String routeName() {
            return ROUTE;
        }

        public HttpServerRequest request() {
            return request;
        }

        public String path() {
            return path;
        }

        public void path(String path) {
            this.path = path;
        }

        public String query() {
            return request.query();
        }

        public String host() {
            return request.authority() == null ? "" : request.authority().host();
        }

        public SocketAddress clientAddress() {
            return request.remoteAddress();
        }

        public String clientIp() {
            return request.remoteAddress().hostAddress();
        }

        public String scheme() {
            return request.isSSL() ? "https" : "http";
        }

        public TaskScope scope() {
            return scope;
        }

        public Future<Void> respond(int status, String contentType, Buffer body) {
            HttpServerResponse response = request.response();
            response.setStatusCode(status);
            if (contentType != null) {
                response.headers().set(HttpHeaders.CONTENT_TYPE, contentType);
            }
            return response.end(body);
        }

        public MultiMap attributes() {
            return attributes;
        }

        public HttpExchangeLog log() {
            return this;
        }

        public void upstream(String upstream, String endpoint) {
        }

        public void connectNanos(long nanos) {
        }

        public void firstByteNanos(long nanos) {
        }

        public void retried() {
        }
    }
}
