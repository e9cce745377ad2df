package dev.junction.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The example third-party plugin (examples/echo-plugin, built against junction-spi only) dropped into plugins/ and
 * serving the shipped examples/echo-plugin.yaml (its text with only the ports moved): its stream action and filter
 * on a tcp listener, its HTTP action and filters on an http listener next to the HTTP plugin's own.
 */
class ThirdPartyPluginIT extends GatewayTest {
    private static final String GREETING = "hello from junction\n";
    private static final String STAMP = "gw1.example.test";

    /** Ports of the shipped examples/echo-plugin.yaml, rewritten to free ones. */
    private record EchoPorts(int tcp, int http, int admin) {
        static EchoPorts free() {
            return new EchoPorts(Ports.free(), Ports.free(), Ports.free());
        }

        String url(String path) {
            return "http://127.0.0.1:" + http + path;
        }
    }

    /** Copies the plugin's jar into plugins/echo/ and starts the example configuration on {@code ports}. */
    private JunctionProcess startExample(EchoPorts ports) throws IOException {
        Path folder = home.resolve("plugins/echo");
        Files.createDirectories(folder);
        Files.copy(JunctionHome.echoPluginJar(), folder.resolve(JunctionHome.echoPluginJar().getFileName()));
        Map<String, String> replacements = new LinkedHashMap<>();
        replacements.put("127.0.0.1:17100", "127.0.0.1:" + ports.tcp());
        replacements.put("127.0.0.1:17180", "127.0.0.1:" + ports.http());
        replacements.put("127.0.0.1:17901", "127.0.0.1:" + ports.admin());
        String config = replaceAll(home.read("examples/echo-plugin.yaml"), replacements);
        assertThat(config).contains(GREETING.replace("\n", "\\n")).contains("upper-echo").contains(STAMP);
        return home.start(home.writeConfig("echo-plugin.yaml", config), ports.admin());
    }

    @Test
    void thirdPartyPluginLoadsFromPluginsFolderAndServes() throws Exception {
        EchoPorts ports = EchoPorts.free();
        JunctionProcess gateway = startExample(ports);

        CommandResult plugins = home.command("plugins");
        assertThat(plugins.exitCode()).as(plugins.toString()).isZero();
        assertThat(plugins.stdout().lines()).as(plugins.toString())
                .anyMatch(line -> line.strip().startsWith("echo ") && line.contains("plugins/echo"))
                .anyMatch(line -> line.strip().startsWith("tcp "));
        assertThat(gateway.getOk("/plugins")).contains("echo").contains("tcp");
        try (TcpClient client = TcpClient.connect(ports.tcp())) {
            assertThat(new String(client.readExactly(GREETING.length()), StandardCharsets.UTF_8))
                    .isEqualTo(GREETING);
            assertThat(client.echo("ping\n")).isEqualTo("ping\n");
            byte[] large = new byte[1 << 20];
            new Random(7).nextBytes(large);
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
        try (TcpClient second = TcpClient.connect(ports.tcp())) {
            assertThat(second.readLine()).isEqualTo(GREETING.strip());
        }
        // The plugin's blocking-style filter logged the connections, with the plugin's logger and the listener's name.
        assertThat(gateway.awaitLogLine("junction\\.echo.*echo-in|echo-in.*junction\\.echo", Duration.ofSeconds(5)))
                .isNotEmpty();
        assertThat(gateway.isAlive()).isTrue();
    }

    @Test
    void thirdPartyHttpActionAndFiltersServeOnTheHttpListener() throws Exception {
        EchoPorts ports = EchoPorts.free();
        JunctionProcess gateway = startExample(ports);

        // upper-echo behind stamp: the body comes back upper-cased, the response carries the stamp.
        CommandResult upper = curl("-sS", "--max-time", "10", "-i", "-H", "content-type: text/plain",
                "--data-binary", "hello from client.example.test", ports.url("/upper"));
        assertThat(upper.exitCode()).as(upper.toString()).isZero();
        String[] headAndBody = upper.stdout().split("\r\n\r\n", 2);
        assertThat(headAndBody).as(upper.toString()).hasSize(2);
        assertThat(headAndBody[0]).as("response head").startsWith("HTTP/1.1 200")
                .containsIgnoringCase("\r\nx-stamp: " + STAMP)
                .containsIgnoringCase("\r\ncontent-type: text/plain");
        assertThat(headAndBody[1]).as("response body").isEqualTo("HELLO FROM CLIENT.EXAMPLE.TEST");

        // stamp in front of the HTTP plugin's echo action: the request the action got carries the stamp.
        CommandResult inspect = curl("-sS", "--max-time", "10", "-i", ports.url("/inspect?from=curl"));
        assertThat(inspect.exitCode()).as(inspect.toString()).isZero();
        assertThat(inspect.stdout()).as(inspect.toString()).startsWith("HTTP/1.1 200")
                .containsIgnoringCase("\r\nx-stamp: " + STAMP + "\r\n")
                .containsPattern("\"x-stamp\"\\s*:\\s*\"" + Pattern.quote(STAMP) + "\"")
                .containsPattern("\"path\"\\s*:\\s*\"/inspect\"");

        // A request that already carries the stamp went through this gateway before: stamp answers 508 itself.
        CommandResult loop = curl("-sS", "--max-time", "10", "-i", "-H", "x-stamp: " + STAMP,
                "--data-binary", "not echoed", ports.url("/upper"));
        assertThat(loop.exitCode()).as(loop.toString()).isZero();
        assertThat(loop.stdout()).as(loop.toString()).startsWith("HTTP/1.1 508 Loop Detected\r\n")
                .containsIgnoringCase("\r\nx-stamp: " + STAMP + "\r\n")
                .endsWith("\r\n\r\nstamp: forwarding loop\n")
                .doesNotContain("NOT ECHOED");

        // A client that goes away mid-body: the action fails as a downstream failure, which is not worth a warning.
        try (Socket socket = new Socket("127.0.0.1", ports.http())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /upper/cut HTTP/1.1\r\nhost: echo.example.test\r\n"
                    + "content-length: 100000\r\n\r\nonly a little").getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            byte[] buffer = new byte[1024];
            while (!received.toString(StandardCharsets.US_ASCII).endsWith("ONLY A LITTLE")) {
                int read = socket.getInputStream().read(buffer);
                assertThat(read).as("answer so far: " + received).isPositive();
                received.write(buffer, 0, read);
            }
            socket.setSoLinger(true, 0); // close with a reset
        }

        // 1 MiB streamed through upper-echo, with Content-Length and chunked over HTTP/1.1, and over h2c.
        byte[] payload = new byte[1 << 20];
        new Random(11).nextBytes(payload);
        byte[] expected = payload.clone();
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] >= 'a' && expected[i] <= 'z') {
                expected[i] -= 'a' - 'A';
            }
        }
        Path input = home.work().resolve("upper-echo.in");
        Files.write(input, payload);
        List<List<String>> modes = List.of(List.of("--http1.1"),
                List.of("--http1.1", "-H", "transfer-encoding: chunked"), List.of("--http2-prior-knowledge"));
        for (List<String> mode : modes) {
            Path output = home.work().resolve("upper-echo.out");
            Files.deleteIfExists(output);
            List<String> args = new ArrayList<>(List.of("-sS", "--max-time", "20", "-o", output.toString(),
                    "-w", "%{http_code} %{http_version}", "--data-binary", "@" + input));
            args.addAll(mode);
            args.add(ports.url("/upper/bulk"));
            CommandResult bulk = curl(args.toArray(String[]::new));
            assertThat(bulk.exitCode()).as(bulk.toString()).isZero();
            assertThat(bulk.stdout()).as("status and version for curl " + mode)
                    .isEqualTo(mode.contains("--http2-prior-knowledge") ? "200 2" : "200 1.1");
            assertThat(Files.readAllBytes(output)).as("1 MiB through upper-echo for curl " + mode).isEqualTo(expected);
        }

        // The plugin's blocking-style HTTP filter logged the requests with the plugin's logger.
        assertThat(gateway.awaitLogLine("junction\\.echo.*POST /upper from 127\\.0\\.0\\.1 on listener echo-http, "
                + "route upper", Duration.ofSeconds(5))).isNotEmpty();
        assertThat(gateway.log()).as("gateway log").doesNotContainPattern("WARN\\s+junction\\.(http|echo)");
        assertThat(gateway.isAlive()).isTrue();
    }

    private CommandResult curl(String... args) {
        List<String> commandLine = new ArrayList<>();
        commandLine.add("curl");
        commandLine.addAll(List.of(args));
        return home.run(commandLine, Map.of());
    }
}
