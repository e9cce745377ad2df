package dev.junction.plugin.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 upstream on a raw {@link ServerSocket}, for answers no server library would write: a thread per
 * connection reads each request (its head, then a {@code Content-Length} or chunked body), records it, and lets a
 * {@link Script} write the bytes of the answer.
 */
final class RawUpstream implements AutoCloseable {

    /** How a {@link RawUpstream} answers one request; returns whether to keep the connection for another. */
    @FunctionalInterface
    interface Script {
        boolean answer(String requestHead, OutputStream out) throws IOException;
    }

    /** A {@link Script} that also has the connection's socket, to end it with a reset rather than a close. */
    @FunctionalInterface
    interface SocketScript {
        boolean answer(String requestHead, Socket socket, OutputStream out) throws IOException;
    }

    /**
     * A request as the upstream read it: the head up to its empty line, and the body as the bytes arrived (chunked
     * framing and trailers included; empty without a body).
     */
    record Request(String head, String rawBody) {

        String target() {
            return head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
        }

        /** Returns the value of the first field named {@code name} (in any case), or null. */
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }

        /** Returns a chunked body without its framing. */
        String body() {
            StringBuilder body = new StringBuilder();
            int p = 0;
            while (true) {
                int lineEnd = rawBody.indexOf("\r\n", p);
                int size = Integer.parseInt(rawBody.substring(p, lineEnd), 16);
                if (size == 0) {
                    return body.toString();
                }
                body.append(rawBody, lineEnd + 2, lineEnd + 2 + size);
                p = lineEnd + 2 + size + 2;
            }
        }

        /** Returns the last chunk of a chunked body and the trailer section, up to the end of the request. */
        String lastChunk() {
            int p = 0;
            while (true) {
                int lineEnd = rawBody.indexOf("\r\n", p);
                int size = Integer.parseInt(rawBody.substring(p, lineEnd), 16);
                if (size == 0) {
                    return rawBody.substring(p);
                }
                p = lineEnd + 2 + size + 2;
            }
        }
    }

    private final ServerSocket server;
    private final SocketScript script;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    /** The requests in arrival order, each recorded before it is answered. */
    final List<Request> requests = new CopyOnWriteArrayList<>();
    /** The connections accepted. */
    final AtomicInteger connections = new AtomicInteger();
    /** Connections the gateway closed or reset (seen as an end of stream or a failed read or write). */
    final AtomicInteger gatewayClosed = new AtomicInteger();

    RawUpstream(Script script) {
        this((head, socket, out) -> script.answer(head, out));
    }

    RawUpstream(SocketScript script) {
        this.script = script;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofPlatform().daemon().name("raw-upstream-accept").start(this::accept);
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Returns the heads of the requests received so far, in arrival order. */
    List<String> heads() {
        return requests.stream().map(Request::head).toList();
    }

    /** Returns the one request received; fails when there were none or more. */
    Request only() {
        assertEquals(1, requests.size(), requests.toString());
        return requests.get(0);
    }

    private void accept() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                sockets.add(socket);
                Thread.ofPlatform().daemon().name("raw-upstream-connection").start(() -> serve(socket));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(30_000);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (!closed) {
                String head = readHead(in);
                if (head == null) {
                    gatewayClosed.incrementAndGet();
                    return;
                }
                requests.add(new Request(head, readBody(in, head)));
                if (!script.answer(head, socket, out)) {
                    return;
                }
            }
        } catch (SocketTimeoutException e) {
            // idle for long: let go
        } catch (IOException e) {
            if (!closed) {
                gatewayClosed.incrementAndGet();
            }
        } finally {
            sockets.remove(socket);
        }
    }

    /** Reads a request head; returns null at an end of stream before its first byte. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new IOException("end of stream inside a request head");
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
            if (head.size() > 65_536) {
                throw new IOException("request head too large");
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads the body {@code head} announces, as the bytes arrived; empty when it announces none. */
    private static String readBody(InputStream in, String head) throws IOException {
        Request request = new Request(head, "");
        if ("chunked".equalsIgnoreCase(request.header("transfer-encoding"))) {
            return readChunked(in);
        }
        String length = request.header("content-length");
        return length == null ? "" : new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.ISO_8859_1);
    }

    /** Reads a chunked body up to the end of its trailer section, framing included. */
    private static String readChunked(InputStream in) throws IOException {
        StringBuilder raw = new StringBuilder();
        while (true) {
            String sizeLine = readLine(in);
            raw.append(sizeLine);
            int size = Integer.parseInt(sizeLine.trim().toLowerCase(Locale.ROOT), 16);
            if (size == 0) {
                String line;
                do {
                    line = readLine(in);
                    raw.append(line);
                } while (!line.equals("\r\n"));
                return raw.toString();
            }
            raw.append(new String(in.readNBytes(size + 2), StandardCharsets.ISO_8859_1));
        }
    }

    /** Reads a line including its CRLF. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("end of stream inside a line: " + line.toString(StandardCharsets.ISO_8859_1));
            }
            line.write(b);
            if (previous == '\r' && b == '\n') {
                return line.toString(StandardCharsets.ISO_8859_1);
            }
            previous = b;
        }
    }

    /** Stops accepting and closes every connection; an answer being written fails. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
