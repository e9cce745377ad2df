package dev.junction.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The HTTP plugin behind the shipped examples/http-proxy.yaml (its text with only the ports moved): load
 * balancing, forwarding headers, failover, 502/504, bulk bodies with a flat heap, HTTP/2 from curl and h2load;
 * and the demo HTTP listener of the default conf/junction.yaml.
 */
class HttpProxyIT extends GatewayTest {
    private static final long GIBIBYTE = 1L << 30;
    private static final Duration READER_DELAY = Duration.ofSeconds(3);
    /** Bound on answers that must come quickly (a refused connect is a 502 at once): it only catches hangs. */
    private static final Duration NO_HANG = Duration.ofSeconds(10);

    /** Ports of the shipped examples/http-proxy.yaml, rewritten to free ones. */
    record HttpProxyPorts(int listener, int backendA, int backendB, int admin) {
        static HttpProxyPorts free() {
            return new HttpProxyPorts(Ports.free(), Ports.free(), Ports.free(), Ports.free());
        }

        String url(String path) {
            return "http://127.0.0.1:" + listener + path;
        }
    }

    @Test
    void curlRequestsAlternateBetweenBackendsWhichSeeForwardingHeadersNotTheSpoofedOnes() {
        HttpProxyPorts ports = HttpProxyPorts.free();
        HttpTestBackend a = httpBackend("a", ports.backendA());
        HttpTestBackend b = httpBackend("b", ports.backendB());
        startExample(ports, httpProxyExample(ports), "");

        List<String> reached = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            CommandResult curl = curl("-sS", "--max-time", "10", "-H", "X-Forwarded-For: 203.0.113.9",
                    "-H", "X-Forwarded-Proto: https", "-H", "Forwarded: for=203.0.113.9;proto=https",
                    ports.url("/who?i=" + i));
            assertThat(curl.exitCode()).as(curl.toString()).isZero();
            reached.add(curl.stdout().strip());
        }
        assertThat(reached).as("backends reached by 6 curl requests in a row").containsOnly("a", "b");
        for (int i = 1; i < reached.size(); i++) {
            assertThat(reached.get(i)).as("request %d after %s", i, reached).isNotEqualTo(reached.get(i - 1));
        }

        List<HttpTestBackend.Recorded> seen = new ArrayList<>(a.requestsFor("/who"));
        seen.addAll(b.requestsFor("/who"));
        assertThat(seen).as("requests the backends saw").hasSize(6);
        for (HttpTestBackend.Recorded request : seen) {
            assertThat(request.single("X-Forwarded-For")).as("X-Forwarded-For at the backend (client sent 203.0.113.9)")
                    .isEqualTo("127.0.0.1");
            assertThat(request.single("X-Forwarded-Proto")).as("X-Forwarded-Proto at the backend (client sent https)")
                    .isEqualTo("http");
            assertThat(request.single("Via")).as("Via at the backend").matches("1\\.1 \\S+");
            assertThat(request.single("X-Forwarded-Host")).as("X-Forwarded-Host at the backend")
                    .isEqualTo("127.0.0.1:" + ports.listener());
            assertThat(request.single("Forwarded")).as("Forwarded at the backend (client sent for=203.0.113.9)")
                    .startsWith("for=127.0.0.1;proto=http").doesNotContain("203.0.113.9");
        }
    }

    @Test
    void killingOneBackendUnderSteadyTrafficLosesNoRequestAndBothDownAnswer502() throws Exception {
        HttpProxyPorts ports = HttpProxyPorts.free();
        HttpTestBackend a = httpBackend("a", ports.backendA());
        HttpTestBackend b = httpBackend("b", ports.backendB());
        JunctionProcess gateway = startExample(ports, httpProxyExample(ports), "");
        HttpClient client = httpClient();

        // Two clients send GETs back to back (keep-alive) before, during and after b stops.
        record Outcome(boolean afterKill, int status, String body) {}
        List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean killed = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> senders = new ArrayList<>();
        for (int sender = 0; sender < 2; sender++) {
            senders.add(Thread.ofPlatform().name("steady-" + sender).start(() -> {
                while (!stop.get()) {
                    boolean afterKill = killed.get();
                    try {
                        HttpResponse<String> response = client.send(get(ports.url("/steady")),
                                HttpResponse.BodyHandlers.ofString());
                        outcomes.add(new Outcome(afterKill, response.statusCode(), response.body().strip()));
                    } catch (IOException e) {
                        outcomes.add(new Outcome(afterKill, -1, e.toString()));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        JunctionProcess.sleep(1_500);
        b.close(); // b now refuses connections, and its open keep-alive connections are closed
        killed.set(true);
        JunctionProcess.sleep(5_000);
        stop.set(true);
        for (Thread sender : senders) {
            sender.join(15_000);
            assertThat(sender.isAlive()).as("sender " + sender.getName() + " finished its last request").isFalse();
        }

        List<Outcome> all = List.copyOf(outcomes);
        System.out.printf("junction: %d requests before and %d after one of two backends stopped%n",
                all.stream().filter(o -> !o.afterKill()).count(), all.stream().filter(Outcome::afterKill).count());
        assertThat(all).as("requests that did not answer 200 around the kill").allMatch(o -> o.status() == 200);
        assertThat(all.stream().filter(o -> !o.afterKill()).map(Outcome::body))
                .as("backends reached before the kill").contains("a", "b");
        assertThat(all.stream().filter(Outcome::afterKill).toList()).as("requests after the kill").isNotEmpty()
                .allMatch(o -> o.body().equals("a"));
        awaitEndpointAvailability(gateway, ports.backendB(), false);

        // Both down: every endpoint refuses connections.
        a.close();
        assertAnswers502Promptly(client, ports, "right after the second backend stopped");
        awaitEndpointAvailability(gateway, ports.backendA(), false);
        assertAnswers502Promptly(client, ports, "with both endpoints marked unavailable");
    }

    @Test
    void backendSlowerThanFirstByteTimeoutAnswers504() throws Exception {
        HttpProxyPorts ports = HttpProxyPorts.free();
        HttpTestBackend a = httpBackend("a", ports.backendA());
        HttpTestBackend b = httpBackend("b", ports.backendB());
        String config = replaceAll(httpProxyExample(ports), Map.of("first-byte: 10s", "first-byte: 1s"));
        startExample(ports, config, "");
        HttpClient client = httpClient();

        long started = System.nanoTime();
        HttpResponse<String> response = client.send(get(ports.url("/sleep?ms=5000")), HttpResponse.BodyHandlers.ofString());
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(response.statusCode()).as("status for a backend that sleeps 5 s past a first-byte timeout of 1 s: "
                + response.body()).isEqualTo(504);
        assertThat(took).as("time to the 504").isLessThan(NO_HANG);
        assertThat(a.requestsFor("/sleep").size() + b.requestsFor("/sleep").size())
                .as("attempts that reached a backend (a timeout is not retried by default)").isEqualTo(1);
    }

    @Test
    void oneGibibyteUploadAndDownloadCompleteIntactWithFlatHeap() throws Exception {
        HttpProxyPorts ports = HttpProxyPorts.free();
        HttpTestBackend a = httpBackend("a", ports.backendA());
        HttpTestBackend b = httpBackend("b", ports.backendB());
        // A heap and a direct-memory budget far below the transfer: buffering a body instead of applying
        // backpressure ends in OutOfMemoryError (and the launcher's -XX:+ExitOnOutOfMemoryError).
        JunctionProcess gateway = startExample(ports, httpProxyExample(ports), "-Xmx128m -XX:MaxDirectMemorySize=128m");
        HttpClient client = httpClient();
        long rssBefore = gateway.residentAndPeakBytes()[0];
        gateway.forceGarbageCollection();
        long heapBefore = TcpProxyIT.heapUsedBytes(gateway.getOk("/metrics"));
        String expected = HttpTestBackend.sha256OfPattern(GIBIBYTE);

        // Download: nobody reads the body for READER_DELAY, so only backpressure keeps the gateway from
        // buffering what the backend pushes meanwhile.
        HttpResponse<InputStream> download = client.sendAsync(
                        HttpRequest.newBuilder(URI.create(ports.url("/bytes?n=" + GIBIBYTE))).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofInputStream())
                .get(30, TimeUnit.SECONDS);
        assertThat(download.statusCode()).isEqualTo(200);
        HttpTestBackend downloadBackend = download.headers().firstValue("x-backend").orElseThrow().equals("a") ? a : b;
        JunctionProcess.sleep(READER_DELAY.toMillis());
        long writtenWhileNotReading = downloadBackend.bytesWritten();
        MessageDigest downloaded = TestBackend.sha256();
        AtomicLong downloadedBytes = new AtomicLong();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            try (InputStream in = download.body()) {
                byte[] buffer = new byte[256 * 1024];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    downloaded.update(buffer, 0, n);
                    downloadedBytes.addAndGet(n);
                }
            } catch (IOException e) {
                throw new RuntimeException("reading the download failed after " + downloadedBytes.get() + " bytes", e);
            }
        }, runnable -> Thread.ofPlatform().name("gigabyte-download").start(runnable));
        await(reader, Duration.ofMinutes(2), "downloading 1 GiB", gateway, downloadedBytes);
        System.out.printf("junction: the backend wrote %d MiB of the download while the client read nothing%n",
                writtenWhileNotReading >> 20);
        assertThat(writtenWhileNotReading).as("bytes the backend could write while nobody read the download")
                .isLessThan(256L << 20);
        assertThat(downloadedBytes.get()).as("bytes downloaded through the proxy").isEqualTo(GIBIBYTE);
        assertThat(HexFormat.of().formatHex(downloaded.digest())).as("SHA-256 of the download").isEqualTo(expected);

        // Upload with a Content-Length: the backend reads nothing for READER_DELAY.
        AtomicLong produced = new AtomicLong();
        HttpRequest upload = HttpRequest.newBuilder(URI.create(ports.url("/upload?delay-ms=" + READER_DELAY.toMillis())))
                .timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(GIBIBYTE, produced)), GIBIBYTE))
                .build();
        CompletableFuture<HttpResponse<String>> uploaded = client.sendAsync(upload, HttpResponse.BodyHandlers.ofString());
        JunctionProcess.sleep(READER_DELAY.toMillis() - 500);
        long producedWhileNotRead = produced.get();
        long readByThen = a.bytesRead() + b.bytesRead();
        HttpResponse<String> uploadResponse;
        try {
            uploadResponse = uploaded.get(2, TimeUnit.MINUTES);
        } catch (TimeoutException | ExecutionException e) {
            throw gateway.failure("uploading 1 GiB failed after " + produced.get() + " bytes were sent: " + e);
        }
        System.out.printf("junction: the client sent %d MiB of the upload while the backend read nothing%n",
                producedWhileNotRead >> 20);
        assertThat(readByThen).as("bytes the backend had read while it paused").isZero();
        assertThat(producedWhileNotRead).as("bytes the client could send while the backend read nothing")
                .isLessThan(256L << 20);
        assertThat(uploadResponse.statusCode()).as(uploadResponse.body()).isEqualTo(200);
        assertThat(uploadResponse.body().strip()).as("bytes and SHA-256 the backend received")
                .isEqualTo(GIBIBYTE + " " + expected);

        assertThat(gateway.isAlive()).as(gateway.log()).isTrue();
        assertThat(gateway.log()).doesNotContain("OutOfMemoryError");
        long[] after = gateway.residentAndPeakBytes();
        System.out.printf("junction: 1 GiB down and 1 GiB up through the HTTP proxy; resident memory %d MiB before,"
                + " %d MiB after, peak %d MiB%n", rssBefore >> 20, after[0] >> 20, after[1] >> 20);
        // 128 MiB heap + 128 MiB direct + the JVM's own: far below the gibibyte an unbounded buffer would hold.
        assertThat(after[1]).as("peak resident memory of the gateway").isLessThan(512L << 20);
        gateway.forceGarbageCollection();
        long heapAfter = TcpProxyIT.heapUsedBytes(gateway.getOk("/metrics"));
        System.out.printf("junction: heap used after a full GC: %d MiB before the transfers, %d MiB after%n",
                heapBefore >> 20, heapAfter >> 20);
        assertThat(heapAfter - heapBefore).as("heap growth across the transfers (after a full GC each time)")
                .isLessThan(64L << 20);
    }

    @Test
    void http2FromCurlPriorKnowledgeAndUpgradeAndFromH2load() {
        HttpProxyPorts ports = HttpProxyPorts.free();
        HttpTestBackend a = httpBackend("a", ports.backendA());
        HttpTestBackend b = httpBackend("b", ports.backendB());
        startExample(ports, httpProxyExample(ports), "");

        for (String mode : List.of("--http2-prior-knowledge", "--http2")) {
            CommandResult curl = curl("-sS", "--max-time", "10", mode, "-o", "/dev/null",
                    "-w", "%{http_code} %{http_version}", ports.url("/h2"));
            assertThat(curl.exitCode()).as(curl.toString()).isZero();
            assertThat(curl.stdout()).as("status and HTTP version for curl " + mode).isEqualTo("200 2");
        }

        CommandResult h2load = home.run(List.of("h2load", "-n", "1000", "-c", "10", "-m", "10", ports.url("/")), Map.of());
        assertThat(h2load.exitCode()).as(h2load.toString()).isZero();
        Matcher requests = Pattern.compile("requests: (\\d+) total, (\\d+) started, (\\d+) done, (\\d+) succeeded, "
                + "(\\d+) failed, (\\d+) errored, (\\d+) timeout").matcher(h2load.stdout());
        assertThat(requests.find()).as("h2load's requests line in:\n" + h2load.stdout()).isTrue();
        assertThat(requests.group(4)).as("h2load requests succeeded\n" + h2load.stdout()).isEqualTo("1000");
        assertThat(List.of(requests.group(5), requests.group(6), requests.group(7)))
                .as("h2load requests failed, errored, timed out\n" + h2load.stdout()).containsExactly("0", "0", "0");
        Matcher statuses = Pattern.compile("status codes: (\\d+) 2xx").matcher(h2load.stdout());
        assertThat(statuses.find() && statuses.group(1).equals("1000")).as("1000 2xx in:\n" + h2load.stdout()).isTrue();
        assertThat(h2load.stdout()).as("h2load's protocol").contains("Application protocol: h2c");
        assertThat(a.requestsFor("/").size() + b.requestsFor("/").size()).as("h2load requests that reached a backend")
                .isEqualTo(1000);
        assertThat(a.requestsFor("/")).as("h2load requests at a").isNotEmpty();
        assertThat(b.requestsFor("/")).as("h2load requests at b").isNotEmpty();
    }

    @Test
    void defaultConfigServesWelcomePageAndEchoOnItsDemoHttpListener() throws Exception {
        int admin = Ports.free();
        int tcp = Ports.free();
        int web = Ports.free();
        // The shipped default configuration, on free ports so that parallel runs do not clash; started with no -c.
        Map<String, String> replacements = new LinkedHashMap<>();
        replacements.put("127.0.0.1:9901", "127.0.0.1:" + admin);
        replacements.put("127.0.0.1:9900", "127.0.0.1:" + tcp);
        replacements.put("127.0.0.1:8080", "127.0.0.1:" + web);
        String text = home.read("conf/junction.yaml");
        java.nio.file.Files.writeString(home.resolve("conf/junction.yaml"), replaceAll(text, replacements));
        home.start(List.of("run"), admin, "");
        HttpClient client = httpClient();

        HttpResponse<String> welcome = client.send(get("http://127.0.0.1:" + web + "/"), HttpResponse.BodyHandlers.ofString());
        assertThat(welcome.statusCode()).as(welcome.body()).isEqualTo(200);
        assertThat(welcome.headers().firstValue("content-type")).as("content type of the welcome page")
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(welcome.body()).as("the welcome page").containsIgnoringCase("<html").containsIgnoringCase("junction");

        HttpResponse<String> echo = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web + "/echo?x=1"))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("hello echo"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(echo.statusCode()).as(echo.body()).isEqualTo(200);
        assertThat(echo.headers().firstValue("content-type")).as("content type of the echo")
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(echo.body()).as("the echo of POST /echo?x=1")
                .containsPattern("\"method\"\\s*:\\s*\"POST\"")
                .containsPattern("\"path\"\\s*:\\s*\"/echo\"")
                .contains("hello echo");
        HttpResponse<String> echoGet = client.send(get("http://127.0.0.1:" + web + "/echo"), HttpResponse.BodyHandlers.ofString());
        assertThat(echoGet.statusCode()).as(echoGet.body()).isEqualTo(200);
        assertThat(echoGet.body()).as("the echo of GET /echo").containsPattern("\"method\"\\s*:\\s*\"GET\"");
    }

    /** The shipped examples/http-proxy.yaml with its ports moved to {@code ports}. */
    private String httpProxyExample(HttpProxyPorts ports) {
        Map<String, String> replacements = new LinkedHashMap<>();
        replacements.put("127.0.0.1:18080", "127.0.0.1:" + ports.listener());
        replacements.put("127.0.0.1:18081", "127.0.0.1:" + ports.backendA());
        replacements.put("127.0.0.1:18082", "127.0.0.1:" + ports.backendB());
        replacements.put("127.0.0.1:18901", "127.0.0.1:" + ports.admin());
        return replaceAll(home.read("examples/http-proxy.yaml"), replacements);
    }

    private JunctionProcess startExample(HttpProxyPorts ports, String config, String jvmOptions) {
        return home.start(List.of("run", "-c", home.writeConfig("http-proxy.yaml", config).toString()), ports.admin(),
                jvmOptions);
    }

    private HttpTestBackend httpBackend(String id, int port) {
        return closeAfterTest(HttpTestBackend.start(id, port));
    }

    private HttpClient httpClient() {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        closeAfterTest(client::shutdownNow);
        return client;
    }

    private static HttpRequest get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build();
    }

    private CommandResult curl(String... args) {
        List<String> commandLine = new ArrayList<>();
        commandLine.add("curl");
        commandLine.addAll(List.of(args));
        return home.run(commandLine, Map.of());
    }

    private static void assertAnswers502Promptly(HttpClient client, HttpProxyPorts ports, String when) throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> response = client.send(get(ports.url("/down")), HttpResponse.BodyHandlers.ofString());
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(response.statusCode()).as("status " + when + ": " + response.body()).isEqualTo(502);
        assertThat(took).as("time to the 502 " + when).isLessThan(NO_HANG);
    }

    /** Waits until the admin API's /upstreams shows the endpoint on {@code port} with {@code available}. */
    private static void awaitEndpointAvailability(JunctionProcess gateway, int port, boolean available) {
        Pattern pattern = Pattern.compile("\"address\"\\s*:\\s*\"127\\.0\\.0\\.1:" + port
                + "\"[^}]*\"available\"\\s*:\\s*" + available);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String upstreams = gateway.getOk("/upstreams");
        while (!pattern.matcher(upstreams).find() && System.nanoTime() < deadline) {
            JunctionProcess.sleep(100);
            upstreams = gateway.getOk("/upstreams");
        }
        assertThat(upstreams).as("/upstreams, waiting for 127.0.0.1:" + port + " available=" + available)
                .containsPattern(pattern);
    }

    private static void await(CompletableFuture<Void> task, Duration timeout, String what, JunctionProcess gateway,
            AtomicLong transferred) throws InterruptedException {
        try {
            task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw gateway.failure(what + " did not finish within " + timeout + "; " + transferred.get()
                    + " bytes had arrived");
        } catch (ExecutionException e) {
            AssertionError failure = gateway.failure(what + " failed: " + e.getCause());
            failure.initCause(e.getCause());
            throw failure;
        }
    }

    /** {@code length} bytes of {@link HttpTestBackend#pattern()} repeated, counting what was read in {@code produced}. */
    private static final class PatternStream extends InputStream {
        private final byte[] pattern = HttpTestBackend.pattern();
        private final AtomicLong produced;
        private long left;
        private int position;

        PatternStream(long length, AtomicLong produced) {
            this.left = length;
            this.produced = produced;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(Math.min(length, left), pattern.length - position);
            System.arraycopy(pattern, position, buffer, offset, n);
            position = (position + n) % pattern.length;
            left -= n;
            produced.addAndGet(n);
            return n;
        }
    }
}
