package dev.junction.plugin.tcp;

import dev.junction.spi.route.StreamAction;
import dev.junction.spi.stream.DuplexStream;
import dev.junction.spi.stream.DuplexStreams;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Helpers for tests that use real sockets on loopback. */
final class TcpTestSupport {

    private TcpTestSupport() {
    }

    static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new AssertionError(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Polls {@code assertion} until it passes or five seconds have gone by. */
    static void eventually(Runnable assertion) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** A Vert.x echo server that half-closes like the gateway does: a client FIN ends only its read side. */
    static NetServer echoServer(Vertx vertx) {
        NetServer server = vertx.createNetServer().connectHandler(socket -> {
            DuplexStream stream = DuplexStreams.of(socket);
            stream.pipeTo(stream).onComplete(done -> stream.close());
        });
        return await(server.listen(0, "127.0.0.1"));
    }

    /** A stream action that writes {@code greeting} and then echoes until the client half-closes. */
    static StreamAction greeter(String greeting) {
        return session -> {
            DuplexStream downstream = session.downstream();
            return downstream.write(Buffer.buffer(greeting))
                    .compose(v -> downstream.pipeTo(downstream))
                    .eventually(downstream::close);
        };
    }

    static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(5000);
        return socket;
    }

    static String read(InputStream in, int length) throws IOException {
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    /** Returns a loopback port on which nothing listens. */
    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
