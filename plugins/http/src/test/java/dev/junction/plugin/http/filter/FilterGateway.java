package dev.junction.plugin.http.filter;

import dev.junction.internal.gateway.Gateway;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A whole gateway started from a YAML text for one filter test, with a plain HTTP client to talk to it. Write
 * {@code ${PORT_1}}...{@code ${PORT_9}} in the text for free loopback ports.
 */
final class FilterGateway implements AutoCloseable {

    private final Gateway gateway;
    private final int[] ports;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();

    private FilterGateway(Gateway gateway, int[] ports) {
        this.gateway = gateway;
        this.ports = ports;
    }

    static FilterGateway start(Path directory, String yaml) {
        int[] ports = new int[10];
        String text = yaml;
        for (int i = 1; i < ports.length; i++) {
            ports[i] = freePort();
            text = text.replace("${PORT_" + i + "}", Integer.toString(ports[i]));
        }
        text = text + "\nadmin:\n  address: 127.0.0.1:" + freePort() + "\n";
        try {
            Path file = Files.createTempFile(directory, "junction", ".yaml");
            Files.writeString(file, text);
            return new FilterGateway(await(Gateway.start(file, Optional.empty(), Map.of())), ports);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port(int index) {
        return ports[index];
    }

    /** Returns a request builder for {@code path} on the listener at {@code PORT_1}. */
    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[1] + path)).timeout(Duration.ofSeconds(10));
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    HttpResponse<String> get(String path) {
        return send(request(path));
    }

    @Override
    public void close() {
        await(gateway.shutdown());
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T> T await(Future<T> future) {
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
