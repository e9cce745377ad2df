package dev.junction.plugin.tcp;

import dev.junction.spi.GatewayException;
import dev.junction.spi.upstream.Connector;
import dev.junction.spi.upstream.Endpoint;
import dev.junction.spi.upstream.EndpointLease;
import dev.junction.spi.upstream.EndpointStatus;
import dev.junction.spi.upstream.Selection;
import dev.junction.spi.upstream.Upstream;
import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Round robin over fixed endpoints, honouring exclusions and recording how each lease ended. */
final class TestUpstream implements Upstream {

    private final String name;
    private final String protocol;
    private final Connector connector;
    private final List<Endpoint> endpoints;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final List<String> outcomes = new CopyOnWriteArrayList<>();

    TestUpstream(String name, String protocol, Connector connector, List<Endpoint> endpoints) {
        this.name = name;
        this.protocol = protocol;
        this.connector = connector;
        this.endpoints = List.copyOf(endpoints);
    }

    /** Returns "success host:port" and "failure host:port" in the order leases were released. */
    List<String> outcomes() {
        return outcomes;
    }

    /** Returns leases not yet released. */
    int activeLeases() {
        return active.get();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public Connector connector() {
        return connector;
    }

    @Override
    public Future<EndpointLease> acquire(Selection selection) {
        List<Endpoint> candidates = endpoints.stream().filter(e -> !selection.exclude().contains(e)).toList();
        if (candidates.isEmpty()) {
            return Future.failedFuture(new GatewayException(GatewayException.Source.UPSTREAM, false,
                    "test: upstream '" + name + "' has no available endpoint"));
        }
        int index = selection.hashKey().isEmpty()
                ? Math.floorMod(next.getAndIncrement(), candidates.size())
                : Math.floorMod(selection.hashKey().hashCode(), candidates.size());
        Endpoint endpoint = candidates.get(index);
        active.incrementAndGet();
        return Future.succeededFuture(new EndpointLease() {
            private boolean released;

            @Override
            public Endpoint endpoint() {
                return endpoint;
            }

            @Override
            public void success() {
                release("success " + endpoint);
            }

            @Override
            public void failure(Throwable cause) {
                release("failure " + endpoint);
            }

            private synchronized void release(String outcome) {
                if (released) {
                    throw new IllegalStateException("lease released twice: " + outcome);
                }
                released = true;
                active.decrementAndGet();
                outcomes.add(outcome);
            }
        });
    }

    @Override
    public List<EndpointStatus> endpoints() {
        return endpoints.stream().map(e -> new EndpointStatus(e, true, false, 0, 0)).toList();
    }
}
