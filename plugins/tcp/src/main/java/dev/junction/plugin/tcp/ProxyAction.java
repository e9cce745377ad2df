package dev.junction.plugin.tcp;

import dev.junction.plugin.tcp.ProxyActionFactory.HashKey;
import dev.junction.spi.GatewayException;
import dev.junction.spi.route.StreamAction;
import dev.junction.spi.route.StreamSession;
import dev.junction.spi.stream.DuplexStream;
import dev.junction.spi.stream.DuplexStreams;
import dev.junction.spi.upstream.Endpoint;
import dev.junction.spi.upstream.EndpointLease;
import dev.junction.spi.upstream.Selection;
import dev.junction.spi.upstream.StreamConnector;
import dev.junction.spi.upstream.Upstream;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * Proxies a downstream stream to an endpoint of an upstream: acquire a lease, connect (trying other endpoints on a
 * retryable failure), then splice both streams with backpressure and half-close until both directions are done.
 */
final class ProxyAction implements StreamAction {

    private final Upstream upstream;
    private final StreamConnector connector;
    private final int attempts;
    private final HashKey hashKey;
    private final Duration connectTimeout;

    ProxyAction(Upstream upstream, StreamConnector connector, int attempts, HashKey hashKey, Duration connectTimeout) {
        this.upstream = upstream;
        this.connector = connector;
        this.attempts = attempts;
        this.hashKey = hashKey;
        this.connectTimeout = connectTimeout;
    }

    @Override
    public String describe() {
        return "proxy -> upstream " + upstream.name();
    }

    @Override
    public Future<Void> handle(StreamSession session) {
        DuplexStream downstream = session.downstream();
        String key = hashKey == HashKey.CLIENT_ADDRESS ? clientAddress(downstream) : "";
        return connect(session, key, new HashSet<>(), 1, null)
                .onFailure(failure -> downstream.close());
    }

    /**
     * Makes one connect attempt; {@code previous} is the failure of the attempt before, if any. A retry that gets
     * no lease (every endpoint tried, limits full) reports the previous connect failure, which says more.
     */
    private Future<Void> connect(StreamSession session, String key, Set<Endpoint> tried, int attempt,
            GatewayException previous) {
        Future<EndpointLease> acquired = upstream.acquire(new Selection(key, tried));
        if (previous != null) {
            acquired = acquired.recover(noLease -> Future.failedFuture(previous));
        }
        return acquired.compose(lease -> {
            if (session.scope().isCancelled()) {
                lease.success(); // the client left while we waited for a slot: not the endpoint's fault
                return Future.<Void>succeededFuture();
            }
            Endpoint endpoint = lease.endpoint();
            return connector.connect(endpoint, connectTimeout).transform(result -> {
                if (result.succeeded()) {
                    return relay(session, lease, result.result());
                }
                GatewayException failure = TcpConnector.connectFailure(endpoint, connectTimeout, result.cause());
                lease.failure(failure);
                tried.add(endpoint);
                if (failure.retryable() && attempt < attempts && !session.scope().isCancelled()) {
                    return connect(session, key, tried, attempt + 1, failure);
                }
                return Future.failedFuture(failure);
            });
        });
    }

    private Future<Void> relay(StreamSession session, EndpointLease lease, DuplexStream connected) {
        // Runs at once if the client went away while we were connecting; otherwise when the connection ends.
        session.scope().onCancel(connected::close);
        if (session.scope().isCancelled()) {
            lease.success();
            return Future.succeededFuture();
        }
        DuplexStream downstream = session.downstream();
        return DuplexStreams.splice(downstream, connected).compose(result -> {
            session.recordBytes(result.bytesAToB(), result.bytesBToA());
            lease.success(); // the endpoint accepted the connection; what happens later is not a connect failure
            if (result.failure().isEmpty()) {
                return Future.succeededFuture();
            }
            Throwable cause = result.failure().get();
            return Future.failedFuture(new GatewayException(GatewayException.Source.UPSTREAM, false,
                    "tcp: relay between " + downstream.remoteAddress() + " and " + lease.endpoint()
                            + " failed: " + cause.getMessage(), cause));
        });
    }

    private static String clientAddress(DuplexStream downstream) {
        var address = downstream.remoteAddress();
        if (address == null) {
            return "";
        }
        String host = address.hostAddress();
        return host != null ? host : address.host() != null ? address.host() : "";
    }
}
