package dev.junction.plugin.http;

import dev.junction.internal.gateway.Gateway;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A whole gateway started from a YAML text for one test, with this plugin found on the class path. Write
 * {@code ${PORT_1}}...{@code ${PORT_9}} in the text for free loopback ports chosen per instance; read them back with
 * {@link #port(int)}.
 *
 * <pre>{@code
 * try (TestGateway gateway = TestGateway.start(dir, """
 *         listeners:
 *           web:
 *             protocol: http
 *             address: 127.0.0.1:${PORT_1}
 *             routes:
 *               - name: hello
 *                 action: {respond: {status: 200, body: "hello\\n"}}
 *         """)) {
 *     // talk to 127.0.0.1:gateway.port(1)
 * }
 * }</pre>
 */
public final class TestGateway implements AutoCloseable {

    private final Gateway gateway;
    private final int[] ports;
    private final Path file;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();

    private TestGateway(Gateway gateway, int[] ports, Path file) {
        this.gateway = gateway;
        this.ports = ports;
        this.file = file;
    }

    public static TestGateway start(Path directory, String yaml) {
        return start(directory, yaml, new int[0]);
    }

    /**
     * Starts a gateway whose listener {@code web} (on {@code PORT_1}, with {@code listenerOptions}) has a
     * {@code respond} route on {@code /hello} and a filterless {@code proxy} route to upstream {@code app} for
     * everything else (the fast path's kind of route); {@code proxyExtra} continues the proxy action's mapping
     * (", retries: ..."), {@code upstreamExtra} adds lines to the upstream. The admin API is on {@code PORT_9}.
     */
    static TestGateway proxying(Path directory, String listenerOptions, String proxyExtra, String upstreamExtra,
            String... endpoints) {
        return start(directory, """
                listeners:
                  web:
                    protocol: http
                    address: 127.0.0.1:${PORT_1}
                    options: {%s}
                    routes:
                      - name: hello
                        match: {path: {prefix: /hello}}
                        action: {respond: {status: 200, body: "hello\\n"}}
                      - name: app
                        action: {proxy: {upstream: app%s}}
                upstreams:
                  app:
                    protocol: http
                    endpoints: [%s]
                %s
                admin:
                  address: 127.0.0.1:${PORT_9}
                """.formatted(listenerOptions, proxyExtra, String.join(", ", endpoints), upstreamExtra));
    }

    /** Starts a gateway; {@code fixedPorts} are used for PORT_1.. before free ones are picked. */
    public static TestGateway start(Path directory, String yaml, int... fixedPorts) {
        int[] ports = new int[10];
        for (int i = 1; i < ports.length; i++) {
            ports[i] = i <= fixedPorts.length ? fixedPorts[i - 1] : freePort();
        }
        String text = yaml;
        for (int i = 1; i < ports.length; i++) {
            text = text.replace("${PORT_" + i + "}", Integer.toString(ports[i]));
        }
        if (!text.contains("admin:")) {
            text = text + "\nadmin:\n  address: 127.0.0.1:" + freePort() + "\n";
        }
        try {
            Path file = Files.createTempFile(directory, "junction", ".yaml");
            Files.writeString(file, text);
            return new TestGateway(await(Gateway.start(file, Optional.empty(), Map.of())), ports, file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites the configuration file ({@code ${PORT_n}} as at start) and reloads it, as SIGHUP would. */
    public void reload(String yaml) {
        String text = yaml;
        for (int i = 1; i < ports.length; i++) {
            text = text.replace("${PORT_" + i + "}", Integer.toString(ports[i]));
        }
        try {
            String current = Files.readString(file);
            int admin = current.indexOf("\nadmin:\n");
            if (!text.contains("admin:") && admin >= 0) {
                text = text + current.substring(admin);
            }
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        await(gateway.reload("test"));
    }

    public int port(int index) {
        return ports[index];
    }

    /** Returns a request to the listener on {@code PORT_1}. */
    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[1] + path)).timeout(Duration.ofSeconds(10));
    }

    /** Sends {@code request} with an HTTP/1.1 client that does not follow redirects. */
    public HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public HttpResponse<String> get(String path) {
        return send(request(path));
    }

    Gateway gateway() {
        return gateway;
    }

    @Override
    public void close() {
        await(gateway.shutdown());
    }

    /**
     * Returns a port that is free now and was not handed out before in this JVM: the kernel may offer the same
     * ephemeral port to two probes in a row, and a configuration must not get one port twice.
     */
    public static int freePort() {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new AssertionError(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
