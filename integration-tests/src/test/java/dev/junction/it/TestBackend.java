package dev.junction.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-written TCP upstream on a loopback port: on every connection it first writes its id and a newline, then
 * echoes every byte it receives while hashing them (SHA-256), and half-closes its side when the client does.
 */
final class TestBackend implements AutoCloseable {

    /** What one connection carried into the backend. */
    record Received(long bytes, String sha256) {}

    private final String id;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final LinkedBlockingQueue<Received> finished = new LinkedBlockingQueue<>();
    private final AtomicInteger accepted = new AtomicInteger();

    private TestBackend(String id, ServerSocket server) {
        this.id = id;
        this.server = server;
        Thread.ofVirtual().name("backend-" + id + "-accept").start(this::acceptLoop);
    }

    /** Starts a backend named {@code id} on 127.0.0.1:port. */
    static TestBackend start(String id, int port) {
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
            return new TestBackend(id, server);
        } catch (IOException e) {
            throw new UncheckedIOException("backend " + id + " cannot listen on port " + port, e);
        }
    }

    int port() {
        return server.getLocalPort();
    }

    String id() {
        return id;
    }

    int acceptedConnections() {
        return accepted.get();
    }

    /** Waits for the next connection that carried data to end (client half-closed) and returns what it carried. */
    Received awaitFinishedConnection(long timeoutSeconds) throws InterruptedException {
        Received received = finished.poll(timeoutSeconds, TimeUnit.SECONDS);
        if (received == null) {
            throw new AssertionError("backend " + id + ": no connection finished within " + timeoutSeconds + " s");
        }
        return received;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                accepted.incrementAndGet();
                open.add(socket);
                Thread.ofVirtual().name("backend-" + id + "-connection").start(() -> serve(socket));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write((id + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            MessageDigest digest = sha256();
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
                total += n;
                out.write(buffer, 0, n);
            }
            out.flush();
            socket.shutdownOutput();
            if (total > 0) { // not a health-check probe, which connects and closes
                finished.add(new Received(total, HexFormat.of().formatHex(digest.digest())));
            }
        } catch (SocketException e) {
            // reset by the peer, or closed by close(): nothing to record
        } catch (IOException e) {
            // the same: a backend does not fail a test by itself, the client side asserts
        } finally {
            open.remove(socket);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops accepting (new connections are refused) and closes every open connection. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
