package dev.junction.plugin.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
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
 * {@code Host} headers, pipelining and half-sent heads reach the listener as written. Reads one response at a time.
 */
final class RoutingRawClient implements AutoCloseable {

    /** One response: the status, the headers (names in lower case) and the body as text. */
    record Response(int status, Map<String, String> headers, String body) {

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RoutingRawClient(int port) {
        try {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(10_000);
            in = socket.getInputStream();
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
            return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
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
