package dev.junction.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The package itself, its launcher and its default configuration, as an operator meets them. */
class DistributionIT extends GatewayTest {

    @Test
    void distributionShipsCoreInLibAndTcpAsItsOwnPluginFolder() throws IOException {
        Path distribution = JunctionHome.distribution();
        assertThat(Files.getPosixFilePermissions(distribution.resolve("bin/junction")))
                .contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                        PosixFilePermission.OTHERS_EXECUTE);
        assertThat(distribution.resolve("conf/junction.yaml")).isRegularFile();
        assertThat(distribution.resolve("examples/tcp-proxy.yaml")).isRegularFile();
        assertThat(distribution.resolve("examples/echo-plugin.yaml")).isRegularFile();

        List<String> lib = fileNames(distribution.resolve("lib"));
        assertThat(lib).anyMatch(name -> name.startsWith("junction-core-"))
                .anyMatch(name -> name.startsWith("junction-spi-"))
                .anyMatch(name -> name.startsWith("vertx-core-"))
                .anyMatch(name -> name.startsWith("netty-transport-native-epoll-") && name.endsWith("-linux-x86_64.jar"))
                .anyMatch(name -> name.startsWith("micrometer-core-"))
                .anyMatch(name -> name.startsWith("micrometer-registry-prometheus-"))
                .anyMatch(name -> name.startsWith("snakeyaml-engine-"))
                .anyMatch(name -> name.startsWith("picocli-"))
                .anyMatch(name -> name.startsWith("jackson-core-"))
                .noneMatch(name -> name.startsWith("junction-plugin-"));
        // A plugin folder holds the plugin's own jars only: the SPI, Vert.x, Netty and Micrometer come from lib/.
        assertThat(fileNames(distribution.resolve("plugins"))).containsExactly("http", "tcp");
        assertThat(distribution.resolve("plugins/http/junction-plugin-http-0.1.0.jar")).isRegularFile();
        assertThat(distribution.resolve("examples/http-proxy.yaml")).isRegularFile();
        assertThat(fileNames(distribution.resolve("plugins/tcp"))).containsExactly("junction-plugin-tcp-0.1.0.jar");

        Path tarball = distribution.resolveSibling(distribution.getFileName() + ".tar.gz");
        assertThat(tarball).isRegularFile();
        CommandResult listing = home.run(List.of("tar", "-tvzf", tarball.toString()), Map.of());
        assertThat(listing.exitCode()).as(listing.toString()).isZero();
        assertThat(listing.stdout().lines())
                .anyMatch(line -> line.startsWith("-rwxr-xr-x") && line.endsWith(" junction-0.1.0/bin/junction"))
                .anyMatch(line -> line.endsWith(" junction-0.1.0/conf/junction.yaml"))
                .anyMatch(line -> line.endsWith(" junction-0.1.0/examples/tcp-proxy.yaml"))
                .anyMatch(line -> line.endsWith(" junction-0.1.0/plugins/tcp/junction-plugin-tcp-0.1.0.jar"))
                .anyMatch(line -> line.matches(".* junction-0\\.1\\.0/lib/junction-core-0\\.1\\.0\\.jar"));
    }

    @Test
    void defaultConfigServesHealthAndMetricsAndExitsZeroOnSigterm() throws Exception {
        int admin = Ports.free();
        int proxy = Ports.free();
        // The shipped default configuration, on free ports so that parallel runs do not clash; started with no -c.
        Map<String, String> ports = new LinkedHashMap<>();
        ports.put("127.0.0.1:9901", "127.0.0.1:" + admin);
        ports.put("127.0.0.1:9900", "127.0.0.1:" + proxy);
        ports.put("127.0.0.1:8080", "127.0.0.1:" + Ports.free());
        Files.writeString(home.resolve("conf/junction.yaml"), replaceAll(home.read("conf/junction.yaml"), ports));

        JunctionProcess gateway = home.start(List.of("run"), admin, "");

        assertThat(gateway.getOk("/health")).isNotNull();
        assertThat(gateway.get("/ready").statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = gateway.get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain"));
        assertThat(metrics.body()).contains("# TYPE junction_").contains("\njunction_");

        // The demo listener proxies the admin API over TCP: curl through it gets the same answer.
        CommandResult curl = home.run(List.of("curl", "-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}",
                "http://127.0.0.1:" + proxy + "/health"), Map.of());
        assertThat(curl.exitCode()).as(curl.toString()).isZero();
        assertThat(curl.stdout()).isEqualTo("200");

        gateway.signal("TERM");
        assertThat(gateway.awaitExit(JunctionProcess.EXIT_TIMEOUT)).as(gateway.log()).isZero();
    }

    @Test
    void launcherFollowsSymlinksAndSkipsAJavaOlderThan21() throws IOException {
        // A symlink to bin/junction elsewhere must still find lib/ and conf/ of the real home.
        Path link = home.work().resolve("bin-elsewhere/junction");
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, home.resolve("bin/junction"));

        // JAVA_HOME pointing at a runtime that is too old: the launcher looks further (PATH, /usr/lib/jvm, ...).
        Path oldJava = home.work().resolve("java-17");
        Files.createDirectories(oldJava.resolve("bin"));
        Files.writeString(oldJava.resolve("release"), "JAVA_VERSION=\"17.0.15\"\n");
        Path fakeJava = oldJava.resolve("bin/java");
        Files.writeString(fakeJava, "#!/bin/sh\necho 'openjdk version \"17.0.15\" 2025-04-15' >&2\nexit 1\n");
        fakeJava.toFile().setExecutable(true);
        String path = Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH");

        CommandResult version = home.run(List.of(link.toString(), "version"), Map.of("JAVA_HOME", oldJava.toString(),
                "PATH", path));

        assertThat(version.exitCode()).as(version.toString()).isZero();
        assertThat(version.output()).as(version.toString()).contains("0.1.0");
    }

    @Test
    void startsToHealthyWithinTwentySecondsAndReportsTheTime() {
        // Not a timing assertion (benchmarks are not tests): the number is printed for docs/performance.md.
        int admin = Ports.free();
        Path config = home.writeConfig("empty-with-admin.yaml", "admin:\n  address: 127.0.0.1:" + admin + "\n");
        long started = System.nanoTime();
        JunctionProcess gateway = home.start(List.of("run", "-c", config.toString()), admin, "");
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        long[] memory = gateway.residentAndPeakBytes();
        System.out.printf("junction: /health answered 200 %d ms after bin/junction run; resident memory %d MiB%n",
                millis, memory[0] >> 20);
        assertThat(gateway.isAlive()).isTrue();
    }

    private static List<String> fileNames(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }
}
