package dev.junction.plugin.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 client on a raw {@link Socket}: it writes exactly the bytes a test gives, so malformed requests, odd
 * {@code Host} headers, pipelining and half-sent heads reach the listener as written. Reads one response at a time;
 * tests that read responses their own way do so from {@link #input()}.
 */
final class RoutingRawClient implements AutoCloseable {

    /**
     * One response: the version of its status line ({@code HTTP/1.1}), the status, the headers (names in lower case)
     * and the body as text.
     */
    record Response(String version, int status, Map<String, String> headers, String body) {

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RoutingRawClient(int port) {
        this(port, 0);
    }

    /**
     * {@code receiveBuffer} above 0 makes the socket's receive buffer that small, and the client's own read buffer
     * small too, so that a client reading slowly pushes back on the gateway soon.
     */
    RoutingRawClient(int port, int receiveBuffer) {
        try {
            socket = new Socket();
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            socket.setSoTimeout(10_000);
            in = new BufferedInputStream(socket.getInputStream(), receiveBuffer > 0 ? 4096 : 8192);
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends {@code request} on a new connection and returns the one response. */
    static Response exchange(int port, String request) {
        try (RoutingRawClient client = new RoutingRawClient(port)) {
            client.send(request);
            return client.read();
        }
    }

    /** Sends {@code GET path} with {@code host} and returns the response. */
    static Response get(int port, String host, String path) {
        return exchange(port, "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    }

    /** The stream the responses arrive on; {@link #read()} reads from it too. */
    InputStream input() {
        return in;
    }

    void send(String text) {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one response; fails when the connection closes first or nothing comes within 10 seconds. */
    Response read() {
        try {
            String statusLine = line();
            if (statusLine == null) {
                throw new AssertionError("connection closed before a response");
            }
            String[] parts = statusLine.split(" ", 3);
            int status = Integer.parseInt(parts[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = line(); line != null && !line.isEmpty(); line = line()) {
                int colon = line.indexOf(':');
                headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
            byte[] body;
            if (status / 100 == 1 || status == 204 || status == 304) {
                body = new byte[0];
            } else if (headers.containsKey("content-length")) {
                body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
            } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = chunked();
            } else {
                body = in.readAllBytes();
            }
            return new Response(parts[0], status, headers, new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] chunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line();
            int length = Integer.parseInt(size.split(";", 2)[0].trim(), 16);
            if (length == 0) {
                for (String trailer = line(); trailer != null && !trailer.isEmpty(); trailer = line()) {
                    // trailers are not looked at
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(length));
            line();
        }
    }

    /**
     * Reads a line that must end in CRLF and returns it without the CRLF; returns null when the connection ends (or is
     * reset) before a byte of it and {@code endAllowed}, and fails when it ends anywhere else.
     */
    String crlfLine(boolean endAllowed) {
        try {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                int b;
                try {
                    b = in.read();
                } catch (SocketException e) {
                    b = -1; // reset
                }
                if (b < 0) {
                    if (line.size() == 0 && endAllowed) {
                        return null;
                    }
                    throw new AssertionError("connection closed mid-line: "
                            + line.toString(StandardCharsets.ISO_8859_1));
                }
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.ISO_8859_1);
                    assertTrue(text.endsWith("\r"), "a line ends with CRLF: " + text);
                    return text.substring(0, text.length() - 1);
                }
                line.write(b);
                if (line.size() > 65_536) {
                    throw new AssertionError("line too long");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
            }
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
    }

    /** Reads everything until the peer closes, for at most {@code limit}; fails when it stays open. */
    String readUntilClosed(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            while (System.nanoTime() < deadline) {
                int n;
                try {
                    socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                    n = in.read(buffer);
                } catch (SocketTimeoutException e) {
                    break;
                } catch (SocketException e) {
                    return all.toString(StandardCharsets.ISO_8859_1); // reset by the peer
                }
                if (n < 0) {
                    return all.toString(StandardCharsets.ISO_8859_1);
                }
                all.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("the connection stayed open; received: "
                + all.toString(StandardCharsets.ISO_8859_1));
    }

    /**
     * Waits up to {@code limit} for the peer to close the connection, discarding whatever arrives; returns whether
     * it closed (an end of stream or a reset) rather than stayed open.
     */
    boolean closedWithin(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return false;
                }
                socket.setSoTimeout((int) Math.max(1, left));
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset by the peer
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                if (!socket.isClosed()) {
                    socket.setSoTimeout(10_000);
                }
            } catch (SocketException ignored) {
                // closed meanwhile
            }
        }
    }

    /** Closes with a reset, as a client that gives up does. */
    void reset() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
