package dev.junction.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The example third-party plugin (examples/echo-plugin, built against junction-spi only) dropped into plugins/. */
class ThirdPartyPluginIT extends GatewayTest {
    private static final String GREETING = "hello from junction\n";

    @Test
    void thirdPartyPluginLoadsFromPluginsFolderAndServes() throws Exception {
        Path folder = home.resolve("plugins/echo");
        Files.createDirectories(folder);
        Files.copy(JunctionHome.echoPluginJar(), folder.resolve(JunctionHome.echoPluginJar().getFileName()));

        CommandResult plugins = home.command("plugins");
        assertThat(plugins.exitCode()).as(plugins.toString()).isZero();
        assertThat(plugins.stdout().lines()).as(plugins.toString())
                .anyMatch(line -> line.strip().startsWith("echo ") && line.contains("plugins/echo"))
                .anyMatch(line -> line.strip().startsWith("tcp "));

        int listener = Ports.free();
        int admin = Ports.free();
        Map<String, String> ports = new LinkedHashMap<>();
        ports.put("127.0.0.1:17100", "127.0.0.1:" + listener);
        ports.put("127.0.0.1:17901", "127.0.0.1:" + admin);
        String config = replaceAll(home.read("examples/echo-plugin.yaml"), ports);
        assertThat(config).contains(GREETING.replace("\n", "\\n"));
        JunctionProcess gateway = home.start(home.writeConfig("echo-plugin.yaml", config), admin);

        assertThat(gateway.getOk("/plugins")).contains("echo").contains("tcp");
        try (TcpClient client = TcpClient.connect(listener)) {
            assertThat(new String(client.readExactly(GREETING.length()), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(GREETING);
            assertThat(client.echo("ping\n")).isEqualTo("ping\n");
            byte[] large = new byte[1 << 20];
            new java.util.Random(7).nextBytes(large);
            // Written from another thread: echoing 1 MiB back needs the client to read while it writes.
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    client.output().write(large);
                    client.output().flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            assertThat(client.readExactly(large.length)).isEqualTo(large);
            writer.get(10, TimeUnit.SECONDS);
        }
        try (TcpClient second = TcpClient.connect(listener)) {
            assertThat(second.readLine()).isEqualTo(GREETING.strip());
        }
        // The plugin's blocking-style filter logged the connections, with the plugin's logger and the listener's name.
        assertThat(gateway.awaitLogLine("junction\\.echo.*echo-in|echo-in.*junction\\.echo", Duration.ofSeconds(5)))
                .isNotEmpty();
        assertThat(gateway.isAlive()).isTrue();
    }
}
