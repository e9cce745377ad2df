package dev.junction.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The TCP plugin behind the shipped examples/tcp-proxy.yaml: bulk transfer, backpressure, load balancing. */
class TcpProxyIT extends GatewayTest {
    private static final long GIBIBYTE = 1L << 30;
    private static final int CHUNK = 1 << 20;
    private static final Duration READER_DELAY = Duration.ofSeconds(3);

    @Test
    void tcpProxyCarriesOneGibibyteIntactWithFlatHeap() throws Exception {
        TcpProxyPorts ports = TcpProxyPorts.free();
        TestBackend a = backend("a", ports.backendA());
        TestBackend b = backend("b", ports.backendB());
        // A heap and a direct-memory budget far below the transfer: buffering it instead of applying
        // backpressure ends in OutOfMemoryError (and the launcher's -XX:+ExitOnOutOfMemoryError).
        JunctionProcess gateway = home.start(
                List.of("run", "-c", home.writeConfig("tcp-proxy.yaml", tcpProxyExample(ports)).toString()),
                ports.admin(), "-Xmx128m -XX:MaxDirectMemorySize=128m");
        long rssBefore = gateway.residentAndPeakBytes()[0];
        gateway.forceGarbageCollection();
        long heapBefore = heapUsedBytes(gateway.getOk("/metrics"));

        try (TcpClient client = TcpClient.connect(ports.listener())) {
            String backendId = client.readLine();
            assertThat(backendId).as("the backend's greeting through the proxy").isIn("a", "b");
            TestBackend chosen = backendId.equals("a") ? a : b;

            // Writer: 1 GiB of pseudo-random 1 MiB chunks, each stamped with its index, then a half-close.
            MessageDigest sentDigest = TestBackend.sha256();
            byte[] pattern = new byte[CHUNK];
            new Random(42).nextBytes(pattern);
            AtomicLong received = new AtomicLong();
            AtomicLong written = new AtomicLong();
            AtomicLong writtenWhileNotReading = new AtomicLong();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = client.output();
                    byte[] chunk = pattern.clone();
                    for (long index = 0; index < GIBIBYTE / CHUNK; index++) {
                        ByteBuffer.wrap(chunk).putLong(0, index);
                        sentDigest.update(chunk);
                        out.write(chunk);
                        written.addAndGet(CHUNK);
                    }
                    out.flush();
                    client.socket().shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException("writing into the proxy failed after " + received.get()
                            + " bytes came back", e);
                }
            }, runnable -> Thread.ofPlatform().name("gigabyte-writer").start(runnable));
            // Reader: everything the backend echoes back, until the half-close comes through. It starts late: for
            // READER_DELAY nobody reads the echo, so only backpressure (proxy -> backend -> proxy -> client) keeps
            // the gateway from buffering what the writer pushes meanwhile.
            MessageDigest receivedDigest = TestBackend.sha256();
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                JunctionProcess.sleep(READER_DELAY.toMillis());
                writtenWhileNotReading.set(written.get());
                try {
                    InputStream in = client.input();
                    byte[] buffer = new byte[256 * 1024];
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        receivedDigest.update(buffer, 0, n);
                        received.addAndGet(n);
                    }
                } catch (IOException e) {
                    throw new RuntimeException("reading from the proxy failed after " + received.get() + " bytes"
                            + (received.get() == GIBIBYTE ? " (all of them: the backend's half-close never came through)" : ""), e);
                }
            }, runnable -> Thread.ofPlatform().name("gigabyte-reader").start(runnable));
            client.socket().setSoTimeout(60_000); // silence for a minute means a stall

            await(writer, Duration.ofMinutes(3), "writing 1 GiB", gateway, received);
            await(reader, Duration.ofMinutes(3), "reading 1 GiB back", gateway, received);

            String sent = HexFormat.of().formatHex(sentDigest.digest());
            // Socket buffers of four loopback connections hold a few MiB each; an unbounded queue would take it all.
            assertThat(writtenWhileNotReading.get()).as("bytes the client could write while nobody read the echo")
                    .isLessThan(256L << 20);
            TestBackend.Received atBackend = chosen.awaitFinishedConnection(30);
            assertThat(atBackend.bytes()).as("bytes that reached the backend").isEqualTo(GIBIBYTE);
            assertThat(atBackend.sha256()).as("SHA-256 of what reached the backend").isEqualTo(sent);
            assertThat(received.get()).as("bytes echoed back to the client").isEqualTo(GIBIBYTE);
            assertThat(HexFormat.of().formatHex(receivedDigest.digest())).as("SHA-256 of the echo").isEqualTo(sent);
        }

        assertThat(gateway.isAlive()).as(gateway.log()).isTrue();
        assertThat(gateway.get("/health").statusCode()).isEqualTo(200);
        assertThat(gateway.log()).doesNotContain("OutOfMemoryError");
        long[] after = gateway.residentAndPeakBytes();
        System.out.printf("junction: 1 GiB through the proxy; resident memory %d MiB before, %d MiB after, peak %d MiB%n",
                rssBefore >> 20, after[0] >> 20, after[1] >> 20);
        // 128 MiB heap + 128 MiB direct + the JVM's own: far below the gibibyte an unbounded buffer would hold.
        assertThat(after[1]).as("peak resident memory of the gateway").isLessThan(512L << 20);
        gateway.forceGarbageCollection();
        long heapAfter = heapUsedBytes(gateway.getOk("/metrics"));
        System.out.printf("junction: heap used after a full GC: %d MiB before the transfer, %d MiB after%n",
                heapBefore >> 20, heapAfter >> 20);
        assertThat(heapAfter - heapBefore).as("heap growth across the transfer (after a full GC each time)")
                .isLessThan(64L << 20);
    }

    @Test
    void roundRobinAlternatesAndSkipsADownEndpoint() throws Exception {
        TcpProxyPorts ports = TcpProxyPorts.free();
        backend("a", ports.backendA());
        TestBackend b = backend("b", ports.backendB());
        JunctionProcess gateway = home.start(home.writeConfig("tcp-proxy.yaml", tcpProxyExample(ports)), ports.admin());

        List<String> reached = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            reached.add(backendReachedByNewConnection(ports.listener()));
        }
        assertThat(reached).as("backends reached by 6 connections in a row").containsOnly("a", "b");
        for (int i = 1; i < reached.size(); i++) {
            assertThat(reached.get(i)).as("connection %d after %s", i, reached).isNotEqualTo(reached.get(i - 1));
        }

        b.close(); // b now refuses connections
        // The active check (a connect every 1s, unhealthy after 2 failures) or the passive one (3 failed
        // connects) takes b out: wait until the admin API says so. Connections made meanwhile may be lost.
        Pattern bUnavailable = Pattern.compile("\"address\"\\s*:\\s*\"127\\.0\\.0\\.1:" + ports.backendB()
                + "\"[^}]*\"available\"\\s*:\\s*false");
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String upstreams = gateway.getOk("/upstreams");
        while (!bUnavailable.matcher(upstreams).find() && System.nanoTime() < deadline) {
            JunctionProcess.sleep(100);
            upstreams = gateway.getOk("/upstreams");
        }
        assertThat(upstreams).as("/upstreams after b stopped accepting").containsPattern(bUnavailable);

        List<String> afterStop = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            afterStop.add(backendReachedByNewConnection(ports.listener()));
        }
        assertThat(afterStop).as("backends reached by 20 new connections with b down").containsOnly("a");
    }

    /** Opens a connection through the proxy, returns the id the backend greets with ("lost: ..." if none). */
    private static String backendReachedByNewConnection(int port) throws IOException {
        try (TcpClient client = TcpClient.connect(port)) {
            String id = client.readLine();
            return id == null ? "lost: closed without data" : id;
        } catch (IOException e) {
            if (e instanceof java.net.ConnectException) {
                throw e; // the proxy itself must accept
            }
            return "lost: " + e;
        }
    }

    /** Sum of the Prometheus samples jvm_memory_used_bytes{...area="heap"...}; fails when the meter is absent. */
    static long heapUsedBytes(String metrics) {
        double sum = 0;
        boolean found = false;
        for (String line : metrics.lines().toList()) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        assertThat(found).as("/metrics has jvm_memory_used_bytes{area=\"heap\"} (JVM memory meters bound)").isTrue();
        return (long) sum;
    }

    private static void await(CompletableFuture<Void> task, Duration timeout, String what, JunctionProcess gateway,
            AtomicLong received) throws InterruptedException {
        try {
            task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw gateway.failure(what + " did not finish within " + timeout + "; " + received.get()
                    + " bytes had come back");
        } catch (ExecutionException e) {
            AssertionError failure = gateway.failure(what + " failed: " + e.getCause());
            failure.initCause(e.getCause());
            throw failure;
        }
    }
}
