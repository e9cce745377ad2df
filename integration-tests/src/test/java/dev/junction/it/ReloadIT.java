package dev.junction.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SIGHUP reloads of the shipped examples/tcp-proxy.yaml while a proxied connection is open. */
class ReloadIT extends GatewayTest {
    private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(15);

    @Test
    void sighupWithUnrelatedChangeKeepsOpenConnection() throws Exception {
        TcpProxyPorts ports = TcpProxyPorts.free();
        backend("a", ports.backendA());
        backend("b", ports.backendB());
        String original = tcpProxyExample(ports);
        Path config = home.writeConfig("tcp-proxy.yaml", original);
        JunctionProcess gateway = home.start(config, ports.admin());

        try (TcpClient open = TcpClient.connect(ports.listener())) {
            assertThat(open.readLine()).isIn("a", "b");
            assertThat(open.echo("before reload\n")).isEqualTo("before reload\n");

            // Only the upstream's active health-check interval changes: the listener is untouched.
            String edited = replaceAll(original, Map.of("      interval: 1s\n", "      interval: 3s\n"));
            Files.writeString(config, edited);
            int logLinesBefore = gateway.logLines().size();
            gateway.signal("HUP");

            gateway.awaitLogLine("(?i)reload.*\\b(applied|succeeded|successful|completed?|done)\\b", logLinesBefore,
                    RELOAD_TIMEOUT);
            awaitConfigMatches(gateway, "\"interval\"\\s*:\\s*\"3s\"");
            assertThat(gateway.isAlive()).isTrue();

            assertThat(open.echo("after reload\n")).as("the connection opened before the reload").isEqualTo("after reload\n");
            for (int i = 0; i < 100; i++) {
                assertThat(open.echo("line " + i + "\n")).isEqualTo("line " + i + "\n");
            }
        }
        try (TcpClient fresh = TcpClient.connect(ports.listener())) {
            assertThat(fresh.readLine()).as("a connection opened after the reload").isIn("a", "b");
            assertThat(fresh.echo("new connection\n")).isEqualTo("new connection\n");
        }
    }

    @Test
    void sighupWithInvalidFileKeepsOldConfigAndLogsWhy() throws Exception {
        TcpProxyPorts ports = TcpProxyPorts.free();
        backend("a", ports.backendA());
        backend("b", ports.backendB());
        String original = tcpProxyExample(ports);
        Path config = home.writeConfig("tcp-proxy.yaml", original);
        JunctionProcess gateway = home.start(config, ports.admin());
        String configBefore = gateway.getOk("/config");

        try (TcpClient open = TcpClient.connect(ports.listener())) {
            assertThat(open.readLine()).isIn("a", "b");
            assertThat(open.echo("before\n")).isEqualTo("before\n");

            // A misspelt key in the listener and a new listener port: applying any of it would move the listener.
            int otherPort = Ports.free();
            String invalid = replaceAll(original, Map.of(
                    "    address: 127.0.0.1:" + ports.listener() + "\n", "    adress: 127.0.0.1:" + otherPort + "\n"));
            Files.writeString(config, invalid);
            int logLinesBefore = gateway.logLines().size();
            gateway.signal("HUP");

            String why = gateway.awaitLogLine("adress", logLinesBefore, RELOAD_TIMEOUT);
            assertThat(why).as("the log line explaining the refused reload")
                    .contains("tcp-proxy.yaml")
                    .contains("listeners.tcp-in.adress");
            assertThat(gateway.isAlive()).isTrue();
            assertThat(gateway.getOk("/config")).as("effective configuration after the refused reload").isEqualTo(configBefore);
            assertThat(open.echo("after\n")).as("the connection opened before").isEqualTo("after\n");
        }
        try (TcpClient fresh = TcpClient.connect(ports.listener())) {
            assertThat(fresh.readLine()).as("the old listener still accepts").isIn("a", "b");
            assertThat(fresh.echo("still here\n")).isEqualTo("still here\n");
        }
        assertThat(gateway.getOk("/health")).isNotNull();
    }

    private static void awaitConfigMatches(JunctionProcess gateway, String regex) {
        java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(regex);
        long deadline = System.nanoTime() + RELOAD_TIMEOUT.toNanos();
        String config = "";
        while (System.nanoTime() < deadline) {
            config = gateway.getOk("/config");
            if (pattern.matcher(config).find()) {
                return;
            }
            JunctionProcess.sleep(100);
        }
        throw gateway.failure("/config did not match /" + regex + "/ after the reload within " + RELOAD_TIMEOUT
                + ":\n" + config);
    }
}
