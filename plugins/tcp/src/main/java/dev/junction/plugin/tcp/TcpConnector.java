package dev.junction.plugin.tcp;

import dev.junction.spi.GatewayException;
import dev.junction.spi.PluginContext;
import dev.junction.spi.stream.DuplexStream;
import dev.junction.spi.stream.DuplexStreams;
import dev.junction.spi.upstream.Endpoint;
import dev.junction.spi.upstream.StreamConnector;
import io.vertx.core.Future;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Opens plain TCP streams to an upstream's endpoints. The Vert.x client is created on first use, so creating a
 * connector (also done by {@code junction validate} and rejected reloads) allocates nothing.
 */
final class TcpConnector implements StreamConnector {

    private final String upstreamName;
    private final Duration connectTimeout;
    private final boolean tcpNoDelay;
    private final Duration idleTimeout;
    private final PluginContext plugin;
    private NetClient client;
    private boolean closed;

    TcpConnector(String upstreamName, Duration connectTimeout, boolean tcpNoDelay, Duration idleTimeout,
            PluginContext plugin) {
        this.upstreamName = upstreamName;
        this.connectTimeout = connectTimeout;
        this.tcpNoDelay = tcpNoDelay;
        this.idleTimeout = idleTimeout;
        this.plugin = plugin;
    }

    /** Returns the configured {@code connect-timeout}, which actions pass to {@link #connect(Endpoint, Duration)}. */
    @Override
    public Duration connectTimeout() {
        return connectTimeout;
    }

    private synchronized NetClient client() {
        if (closed) {
            throw new GatewayException(GatewayException.Source.INTERNAL, false,
                    "tcp: connector of upstream '" + upstreamName + "' is closed");
        }
        if (client == null) {
            client = plugin.vertx().createNetClient(new NetClientOptions()
                    .setConnectTimeout(clampMillis(connectTimeout))
                    .setTcpNoDelay(tcpNoDelay)
                    .setIdleTimeout(clampMillis(idleTimeout))
                    .setIdleTimeoutUnit(TimeUnit.MILLISECONDS));
        }
        return client;
    }

    @Override
    public Future<DuplexStream> connect(Endpoint endpoint, Duration timeout) {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(timeout, "timeout");
        Duration effective = timeout.isZero() || timeout.isNegative() ? connectTimeout : timeout;
        NetClient netClient;
        try {
            netClient = client();
        } catch (GatewayException e) {
            return Future.failedFuture(e);
        }
        ConnectOptions options = new ConnectOptions()
                .setHost(endpoint.host())
                .setPort(endpoint.port())
                .setTimeout(clampMillis(effective));
        return netClient.connect(options).transform(result -> {
            if (result.failed()) {
                return Future.failedFuture(connectFailure(endpoint, effective, result.cause()));
            }
            // Wrap at once, before the event loop can read a byte, so a FIN half-closes instead of closing.
            DuplexStream stream = DuplexStreams.of(result.result());
            stream.pause();
            return Future.succeededFuture(stream);
        });
    }

    @Override
    public Future<Void> probe(Endpoint endpoint, Duration timeout) {
        return connect(endpoint, timeout).compose(DuplexStream::close);
    }

    @Override
    public synchronized Future<Void> close() {
        closed = true;
        NetClient netClient = client;
        client = null;
        return netClient == null ? Future.succeededFuture() : netClient.close();
    }

    static GatewayException connectFailure(Endpoint endpoint, Duration timeout, Throwable cause) {
        if (cause instanceof GatewayException gateway) {
            return gateway;
        }
        String prefix = "tcp: connect to " + endpoint;
        if (isTimeout(cause)) {
            return new GatewayException(GatewayException.Source.UPSTREAM, true,
                    prefix + " timed out after " + Options.format(timeout), cause);
        }
        return new GatewayException(GatewayException.Source.UPSTREAM, true,
                prefix + " failed: " + reason(cause, endpoint), cause);
    }

    private static boolean isTimeout(Throwable cause) {
        return cause instanceof io.netty.channel.ConnectTimeoutException
                || cause instanceof java.net.SocketTimeoutException
                || cause instanceof java.util.concurrent.TimeoutException;
    }

    /** Netty appends the address ("Connection refused: /127.0.0.1:17001"); the message names it already. */
    private static String reason(Throwable cause, Endpoint endpoint) {
        String message = cause.getMessage();
        if (message == null || message.isBlank()) {
            return cause.getClass().getSimpleName();
        }
        int separator = message.lastIndexOf(": ");
        if (separator > 0 && message.endsWith(":" + endpoint.port())) {
            return message.substring(0, separator);
        }
        return message;
    }

    private static int clampMillis(Duration duration) {
        return (int) Math.min(Integer.MAX_VALUE, duration.toMillis());
    }
}
