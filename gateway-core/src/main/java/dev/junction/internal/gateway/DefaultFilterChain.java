package dev.junction.internal.gateway;

import dev.junction.spi.filter.BlockingStreamFilter;
import dev.junction.spi.filter.Filter;
import dev.junction.spi.filter.FilterChain;
import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.filter.StreamFilter;
import dev.junction.spi.http.BlockingHttpFilter;
import dev.junction.spi.http.HttpExchange;
import dev.junction.spi.http.HttpFilter;
import dev.junction.spi.route.StreamSession;
import dev.junction.spi.task.TaskScope;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * A route's filters in effective order. Asynchronous filters run on the caller's event loop; blocking filters are
 * dispatched to a virtual thread of the session's (or exchange's) scope, so their code never lands on an event loop.
 */
final class DefaultFilterChain implements FilterChain {

    private static final System.Logger LOG = System.getLogger("junction.filters");

    /** One filter with its name and the mark the watchdog shows while it runs. */
    record Entry(String name, Filter filter, String mark) {
    }

    /** Runs one filter's phase for one piece of traffic. */
    private interface Phase<T> {
        Future<FilterDecision> run(Entry entry, T traffic);
    }

    static final DefaultFilterChain EMPTY = new DefaultFilterChain(List.of());

    private final Entry[] entries;
    private final List<String> names;

    DefaultFilterChain(List<Entry> entries) {
        this.entries = entries.toArray(new Entry[0]);
        this.names = entries.stream().map(Entry::name).toList();
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public Future<FilterDecision> onConnection(StreamSession session) {
        return runFrom(0, session, DefaultFilterChain::connection);
    }

    @Override
    public Future<FilterDecision> onRequest(HttpExchange exchange) {
        return entries.length == 0
                ? Future.succeededFuture(FilterDecision.proceed())
                : runFrom(0, exchange, DefaultFilterChain::request);
    }

    @Override
    public void onResponse(HttpExchange exchange, HttpServerResponse response) {
        for (int i = entries.length - 1; i >= 0; i--) {
            Entry entry = entries[i];
            if (entry.filter() instanceof HttpFilter filter) {
                String previous = ExecutionMarks.enter(entry.mark());
                try {
                    filter.onResponse(exchange, response);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "filter failed in its response phase (" + entry.mark() + ")", e);
                } finally {
                    ExecutionMarks.exit(previous);
                }
            }
        }
    }

    private <T> Future<FilterDecision> runFrom(int index, T traffic, Phase<T> phase) {
        for (int i = index; i < entries.length; i++) {
            Future<FilterDecision> decision = phase.run(entries[i], traffic);
            if (decision.succeeded()) {
                if (!decision.result().proceeds()) {
                    return decision;
                }
                continue; // stay in the loop for filters that answered synchronously
            }
            if (decision.failed()) {
                return decision;
            }
            int next = i + 1;
            return decision.compose(d -> d.proceeds() ? runFrom(next, traffic, phase) : Future.succeededFuture(d));
        }
        return Future.succeededFuture(FilterDecision.proceed());
    }

    private static Future<FilterDecision> connection(Entry entry, StreamSession session) {
        if (entry.filter() instanceof BlockingStreamFilter blocking) {
            return session.scope().runBlocking(() -> blocking.onConnection(session));
        }
        StreamFilter filter = (StreamFilter) entry.filter();
        String previous = ExecutionMarks.enter(entry.mark());
        try {
            return filter.onConnection(session);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        } finally {
            ExecutionMarks.exit(previous);
        }
    }

    private static Future<FilterDecision> request(Entry entry, HttpExchange exchange) {
        if (entry.filter() instanceof BlockingHttpFilter blocking) {
            TaskScope scope = exchange.scope();
            return scope.runBlocking(() -> blocking.onRequest(exchange));
        }
        HttpFilter filter = (HttpFilter) entry.filter();
        String previous = ExecutionMarks.enter(entry.mark());
        try {
            return filter.onRequest(exchange);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        } finally {
            ExecutionMarks.exit(previous);
        }
    }
}
