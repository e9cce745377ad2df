package dev.junction.internal.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.internal.upstream.UpstreamSettings.LoadBalancing;
import dev.junction.spi.GatewayException;
import dev.junction.spi.upstream.Connector;
import dev.junction.spi.upstream.Endpoint;
import dev.junction.spi.upstream.EndpointLease;
import dev.junction.spi.upstream.EndpointStatus;
import dev.junction.spi.upstream.Selection;
import dev.junction.spi.route.TrafficShape;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetClientOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DefaultUpstreamTest {

    private static final Endpoint A = Endpoint.of("127.0.0.1", 1001);
    private static final Endpoint B = Endpoint.of("127.0.0.1", 1002);

    private Vertx vertx;
    private SimpleMeterRegistry registry;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        registry = new SimpleMeterRegistry();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private static UpstreamSettings settings(LoadBalancing policy, int maxConnections, int maxPending) {
        return new UpstreamSettings(policy, Duration.ZERO, Duration.ofSeconds(1), 1, 2, 3, Duration.ofSeconds(30),
                maxConnections, maxPending, Duration.ofMillis(200));
    }

    private DefaultUpstream upstream(UpstreamSettings settings, Connector connector, Endpoint... endpoints) throws Exception {
        DefaultUpstream upstream = new DefaultUpstream("app", "test", connector, settings, List.of(endpoints),
                Optional.empty(), vertx, registry);
        upstream.start().await(5, TimeUnit.SECONDS);
        return upstream;
    }

    private static final Connector NO_PROBE = () -> TrafficShape.STREAM;

    private static Endpoint take(DefaultUpstream upstream) throws Exception {
        EndpointLease lease = upstream.acquire(Selection.ANY).await(5, TimeUnit.SECONDS);
        lease.success();
        return lease.endpoint();
    }

    @Test
    void roundRobinAlternatesBetweenEndpoints() throws Exception {
        DefaultUpstream upstream = upstream(settings(LoadBalancing.ROUND_ROBIN, 100, 10), NO_PROBE, A, B);
        List<Endpoint> chosen = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            chosen.add(take(upstream));
        }
        assertThat(chosen).containsExactly(A, B, A, B, A, B);
    }

    @Test
    void weightedRoundRobinFollowsWeights() throws Exception {
        Endpoint heavy = new Endpoint("127.0.0.1", 1003, 3);
        DefaultUpstream upstream = upstream(settings(LoadBalancing.ROUND_ROBIN, 100, 10), NO_PROBE, heavy, A);
        Map<Endpoint, Integer> counts = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            counts.merge(take(upstream), 1, Integer::sum);
        }
        assertThat(counts).containsEntry(heavy, 300).containsEntry(A, 100);
    }

    @Test
    void consecutiveFailuresEjectAnEndpointUntilItsEjectionEnds() throws Exception {
        DefaultUpstream upstream = upstream(settings(LoadBalancing.ROUND_ROBIN, 100, 10), NO_PROBE, A, B);
        int failures = 0;
        while (failures < 3) {
            EndpointLease lease = upstream.acquire(Selection.ANY).await(5, TimeUnit.SECONDS);
            if (lease.endpoint().equals(A)) {
                lease.failure(new RuntimeException("refused"));
                failures++;
            } else {
                lease.success();
            }
        }
        assertThat(upstream.endpoints()).filteredOn(s -> s.endpoint().equals(A))
                .singleElement().satisfies(s -> assertThat(s.ejected()).isTrue());
        for (int i = 0; i < 5; i++) {
            assertThat(take(upstream)).isEqualTo(B);
        }
        assertThat(registry.get("junction.upstream.ejections").counter().count()).isEqualTo(1.0);
    }

    @Test
    void whenEveryEndpointIsUnavailableTrafficStillGoesSomewhere() throws Exception {
        DefaultUpstream upstream = upstream(settings(LoadBalancing.ROUND_ROBIN, 100, 10), NO_PROBE, A);
        for (int i = 0; i < 3; i++) {
            upstream.acquire(Selection.ANY).await(5, TimeUnit.SECONDS).failure(new RuntimeException("refused"));
        }
        assertThat(upstream.endpoints().get(0).available()).isFalse();
        assertThat(take(upstream)).as("panic mode").isEqualTo(A);
    }

    @Test
    void excludedEndpointsAreNotChosenAndExcludingAllFailsClearly() throws Exception {
        DefaultUpstream upstream = upstream(settings(LoadBalancing.ROUND_ROBIN, 100, 10), NO_PROBE, A, B);
        for (int i = 0; i < 4; i++) {
            EndpointLease lease = upstream.acquire(new Selection("", Set.of(A))).await(5, TimeUnit.SECONDS);
            assertThat(lease.endpoint()).isEqualTo(B);
            lease.success();
        }
        assertThatThrownBy(() -> upstream.acquire(new Selection("", Set.of(A, B))).await(5, TimeUnit.SECONDS))
                .isInstanceOf(GatewayException.class)
                .hasMessageContaining("upstream app: no endpoint available")
                .hasMessageContaining("127.0.0.1:1001 already tried");
    }

    @Test
    void aWaiterGetsTheSlotAReleasedLeaseFrees() throws Exception {
        DefaultUpstream upstream = upstream(settings(LoadBalancing.ROUND_ROBIN, 1, 1), NO_PROBE, A);
        EndpointLease first = upstream.acquire(Selection.ANY).await(5, TimeUnit.SECONDS);
        Future<EndpointLease> waiting = upstream.acquire(Selection.ANY);
        assertThat(waiting.isComplete()).isFalse();
        first.success();
        assertThat(waiting.await(5, TimeUnit.SECONDS).endpoint()).isEqualTo(A);
    }

    @Test
    void fullPendingQueueFailsAtOnceAndWaitersTimeOut() throws Exception {
        DefaultUpstream upstream = upstream(settings(LoadBalancing.ROUND_ROBIN, 1, 1), NO_PROBE, A);
        upstream.acquire(Selection.ANY).await(5, TimeUnit.SECONDS);
        Future<EndpointLease> waiting = upstream.acquire(Selection.ANY);
        assertThatThrownBy(() -> upstream.acquire(Selection.ANY).await(5, TimeUnit.SECONDS))
                .isInstanceOf(GatewayException.class).hasMessageContaining("limits.max-pending");
        assertThatThrownBy(() -> waiting.await(5, TimeUnit.SECONDS))
                .isInstanceOf(GatewayException.class).hasMessageContaining("limits.pending-timeout");
    }

    @Test
    void leastRequestPrefersTheLessLoadedEndpoint() throws Exception {
        DefaultUpstream upstream = upstream(settings(LoadBalancing.LEAST_REQUEST, 100, 10), NO_PROBE, A, B);
        List<EndpointLease> held = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            EndpointLease lease = upstream.acquire(Selection.ANY).await(5, TimeUnit.SECONDS);
            held.add(lease);
        }
        long onA = held.stream().filter(l -> l.endpoint().equals(A)).count();
        assertThat(onA).as("two choices keep held leases balanced").isBetween(4L, 6L);
    }

    @Test
    void consistentHashKeepsAKeyOnOneEndpointAndSpreadsKeys() throws Exception {
        DefaultUpstream upstream = upstream(settings(LoadBalancing.CONSISTENT_HASH, 100, 10), NO_PROBE, A, B);
        Map<Endpoint, Integer> spread = new HashMap<>();
        for (int key = 0; key < 200; key++) {
            Endpoint first = null;
            for (int repeat = 0; repeat < 3; repeat++) {
                EndpointLease lease = upstream.acquire(new Selection("client-" + key, Set.of())).await(5, TimeUnit.SECONDS);
                lease.success();
                if (first == null) {
                    first = lease.endpoint();
                } else {
                    assertThat(lease.endpoint()).isEqualTo(first);
                }
            }
            spread.merge(first, 1, Integer::sum);
        }
        assertThat(spread.get(A)).isBetween(60, 140);
    }

    @Test
    void discoveredEndpointsReplaceTheListAndKeepTheStateOfThoseThatStay() throws Exception {
        java.util.concurrent.atomic.AtomicReference<java.util.function.Consumer<List<Endpoint>>> push =
                new java.util.concurrent.atomic.AtomicReference<>();
        dev.junction.spi.upstream.Discovery discovery = new dev.junction.spi.upstream.Discovery() {
            @Override
            public Future<Void> start(java.util.function.Consumer<List<Endpoint>> updates) {
                push.set(updates);
                updates.accept(List.of(A, B));
                return Future.succeededFuture();
            }

            @Override
            public Future<Void> stop() {
                return Future.succeededFuture();
            }
        };
        DefaultUpstream upstream = new DefaultUpstream("app", "test", NO_PROBE,
                settings(LoadBalancing.ROUND_ROBIN, 100, 10), List.of(), Optional.of(discovery), vertx, registry);
        upstream.start().await(5, TimeUnit.SECONDS);
        assertThat(upstream.endpoints()).extracting(EndpointStatus::endpoint).containsExactly(A, B);
        for (int i = 0; i < 3; i++) {
            EndpointLease lease = upstream.acquire(new Selection("", Set.of(B))).await(5, TimeUnit.SECONDS);
            lease.failure(new RuntimeException("refused"));
        }
        Endpoint c = Endpoint.of("127.0.0.1", 1003);
        push.get().accept(List.of(A, c));
        assertThat(upstream.endpoints()).extracting(EndpointStatus::endpoint).containsExactly(A, c);
        assertThat(upstream.endpoints().get(0).ejected()).as("A keeps its ejection across the update").isTrue();
        for (int i = 0; i < 4; i++) {
            assertThat(take(upstream)).isEqualTo(c);
        }
        upstream.stop().await(5, TimeUnit.SECONDS);
    }

    @Test
    void activeHealthChecksMarkAnEndpointThatRefusesConnectionsUnhealthy() throws Exception {
        NetServer server = vertx.createNetServer().connectHandler(socket -> socket.close());
        int port = server.listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS).actualPort();
        NetServer closed = vertx.createNetServer().connectHandler(socket -> socket.close());
        int deadPort = closed.listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS).actualPort();
        closed.close().await(5, TimeUnit.SECONDS);
        var client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(1000));
        Connector probing = new Connector() {
            @Override
            public TrafficShape shape() {
                return TrafficShape.STREAM;
            }

            @Override
            public Future<Void> probe(Endpoint endpoint, Duration timeout) {
                return client.connect(endpoint.port(), endpoint.host()).compose(socket -> socket.close());
            }
        };
        UpstreamSettings checked = new UpstreamSettings(LoadBalancing.ROUND_ROBIN, Duration.ofMillis(50),
                Duration.ofSeconds(1), 1, 2, 3, Duration.ofSeconds(30), 100, 10, Duration.ofSeconds(1));
        Endpoint live = Endpoint.of("127.0.0.1", port);
        Endpoint dead = Endpoint.of("127.0.0.1", deadPort);
        DefaultUpstream upstream = upstream(checked, probing, live, dead);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (upstream.endpoints().stream().filter(EndpointStatus::healthy).count() != 1
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(upstream.endpoints()).filteredOn(EndpointStatus::healthy).extracting(EndpointStatus::endpoint)
                .containsExactly(live);
        for (int i = 0; i < 4; i++) {
            assertThat(take(upstream)).isEqualTo(live);
        }
        upstream.stop().await(5, TimeUnit.SECONDS);
    }
}
