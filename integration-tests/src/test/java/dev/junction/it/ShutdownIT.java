package dev.junction.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SIGTERM on the shipped examples/tcp-proxy.yaml while a proxied connection is open. */
class ShutdownIT extends GatewayTest {

    @Test
    void sigtermStopsAcceptingDrainsOpenConnectionsWithinTheBoundAndExitsZero() throws Exception {
        TcpProxyPorts ports = TcpProxyPorts.free();
        backend("a", ports.backendA());
        backend("b", ports.backendB());
        String config = replaceAll(tcpProxyExample(ports), Map.of("drain-timeout: 5s", "drain-timeout: 3s"));
        Path file = home.writeConfig("tcp-proxy.yaml", config);
        JunctionProcess gateway = home.start(file, ports.admin());

        try (TcpClient open = TcpClient.connect(ports.listener())) {
            assertThat(open.readLine()).isIn("a", "b");
            long signalled = System.nanoTime();
            gateway.signal("TERM");
            gateway.awaitLogLine("shutting down: draining for up to 3000ms", Duration.ofSeconds(10));

            // Draining: no new connections, but the open one still carries traffic. The listening socket is closed
            // on the event loops after the log line, so allow a moment for that (io_uring closes asynchronously).
            long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < deadline && accepts(ports.listener())) {
                Thread.sleep(20);
            }
            assertThatThrownBy(() -> {
                try (Socket refused = new Socket()) {
                    refused.connect(new InetSocketAddress("127.0.0.1", ports.listener()), 1_000);
                }
            }).isInstanceOf(ConnectException.class);
            assertThat(open.echo("still here\n")).isEqualTo("still here\n");

            assertThat(gateway.awaitExit(Duration.ofSeconds(20))).as("exit code after SIGTERM").isZero();
            Duration took = Duration.ofNanos(System.nanoTime() - signalled);
            assertThat(took).as("the drain is bounded by runtime.drain-timeout").isLessThan(Duration.ofSeconds(10));
            assertThatThrownBy(() -> {
                String line = open.echo("after exit\n");
                throw new IOException("still answered after the gateway exited: " + line);
            }).isInstanceOf(IOException.class);
        }
    }

    private static boolean accepts(int port) {
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
