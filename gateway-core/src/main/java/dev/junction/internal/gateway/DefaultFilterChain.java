package dev.junction.internal.gateway;

import dev.junction.spi.filter.BlockingStreamFilter;
import dev.junction.spi.filter.Filter;
import dev.junction.spi.filter.FilterChain;
import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.filter.StreamFilter;
import dev.junction.spi.route.StreamSession;
import io.vertx.core.Future;
import java.util.List;

/**
 * A route's filters in effective order. Asynchronous filters run on the caller's event loop; blocking filters are
 * dispatched to a virtual thread of the session's scope, so their code never lands on an event loop.
 */
final class DefaultFilterChain implements FilterChain {

    /** One filter with its name and the mark the watchdog shows while it runs. */
    record Entry(String name, Filter filter, String mark) {
    }

    static final DefaultFilterChain EMPTY = new DefaultFilterChain(List.of());

    private final List<Entry> entries;
    private final List<String> names;

    DefaultFilterChain(List<Entry> entries) {
        this.entries = List.copyOf(entries);
        this.names = this.entries.stream().map(Entry::name).toList();
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public Future<FilterDecision> onConnection(StreamSession session) {
        return runFrom(0, session);
    }

    private Future<FilterDecision> runFrom(int index, StreamSession session) {
        for (int i = index; i < entries.size(); i++) {
            Entry entry = entries.get(i);
            Future<FilterDecision> decision = run(entry, session);
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
            return decision.compose(d -> d.proceeds() ? runFrom(next, session) : Future.succeededFuture(d));
        }
        return Future.succeededFuture(FilterDecision.proceed());
    }

    private static Future<FilterDecision> run(Entry entry, StreamSession session) {
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
}
