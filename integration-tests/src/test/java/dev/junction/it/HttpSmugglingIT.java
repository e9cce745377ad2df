package dev.junction.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Request smuggling conformance of the packaged gateway's {@code http} listener: raw request streams that HTTP/1.1
 * parsers may read differently are answered 400 (or 414/431 for the limits) with the connection closed, and not a
 * byte of them reaches the upstream, a recording fake that counts everything it receives. Valid requests of every
 * framing, pipelined too, do reach it, before and after.
 */
class HttpSmugglingIT extends GatewayTest {
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] (\\d{3}) ");
    private static final String POST = "POST /upload HTTP/1.1\r\nHost: example.test\r\n";
    private static final String GET = "GET / HTTP/1.1\r\nHost: example.test\r\n";
    private static final String CHUNKED = POST + "Transfer-Encoding: chunked\r\n\r\n";

    record Case(String name, String text) {
    }

    record Exchange(String text, List<Integer> statuses, boolean closed) {
    }

    @Test
    void requestsThatParsersMayReadDifferentlyNeverReachTheUpstream() throws IOException {
        int listener = Ports.free();
        int admin = Ports.free();
        RecordingUpstream upstream = closeAfterTest(RecordingUpstream.start(Ports.free()));
        JunctionProcess gateway = home.start(home.writeConfig("smuggling.yaml", config(listener, admin, upstream)),
                admin);

        validRequestsReach(listener, upstream, "before");
        long bytes = upstream.bytes();
        int requests = upstream.requests().size();

        List<String> failures = new ArrayList<>();
        for (Case each : refusedCases()) {
            Exchange exchange = exchange(listener, each.text(), Integer.MAX_VALUE);
            int expected = each.name().startsWith("431 ") ? 431 : 400;
            if (!exchange.statuses().equals(List.of(expected)) || !exchange.closed()) {
                failures.add(each.name() + ": statuses " + exchange.statuses() + ", closed " + exchange.closed()
                        + ", response " + printable(exchange.text()));
            }
            if (upstream.bytes() != bytes) {
                failures.add(each.name() + ": the upstream received " + (upstream.bytes() - bytes) + " bytes: "
                        + upstream.requests().subList(requests, upstream.requests().size()));
                bytes = upstream.bytes();
                requests = upstream.requests().size();
            }
        }
        assertThat(failures).as("refused requests answered otherwise or forwarded").isEmpty();

        // The valid request pipelined before a smuggling one is forwarded and answered; the smuggling one is not.
        Exchange mixed = exchange(listener, "GET /before-smuggling HTTP/1.1\r\nHost: example.test\r\n\r\n" + POST
                + "Content-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: example.test\r\n\r\n", Integer.MAX_VALUE);
        assertThat(mixed.statuses()).as(printable(mixed.text())).containsExactly(200, 400);
        assertThat(mixed.closed()).isTrue();
        assertThat(upstream.requests().subList(requests, upstream.requests().size()))
                .as("requests forwarded from the mixed connection").containsExactly("GET /before-smuggling body=");

        assertThat(gateway.isAlive()).as(gateway.log()).isTrue();
        validRequestsReach(listener, upstream, "after");
    }

    @Test
    void limitsAnswer414And431WithAShortBodyAndForwardNothing() throws IOException {
        int listener = Ports.free();
        int admin = Ports.free();
        RecordingUpstream upstream = closeAfterTest(RecordingUpstream.start(Ports.free()));
        home.start(home.writeConfig("limits.yaml", config(listener, admin, upstream)), admin);

        Exchange uri = exchange(listener, "GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: example.test\r\n\r\n",
                Integer.MAX_VALUE);
        assertThat(uri.statuses()).as(printable(uri.text())).containsExactly(414);
        assertThat(uri.text()).endsWith("\r\n\r\n414 URI Too Long\n");
        Exchange head = exchange(listener, GET + "X-Big: " + "b".repeat(20_000) + "\r\n\r\n", Integer.MAX_VALUE);
        assertThat(head.statuses()).as(printable(head.text())).containsExactly(431);
        assertThat(head.text()).endsWith("\r\n\r\n431 Request Header Fields Too Large\n");
        Exchange many = exchange(listener, GET + fields(100) + "\r\n", Integer.MAX_VALUE);
        assertThat(many.statuses()).as("101 fields (max-headers 100): " + printable(many.text())).containsExactly(431);
        assertThat(many.text()).endsWith("\r\n\r\n431 Request Header Fields Too Large\n");
        assertThat(upstream.bytes()).as("bytes that reached the upstream").isZero();

        Exchange atLimit = exchange(listener, GET + fields(99) + "\r\n", 1);
        assertThat(atLimit.statuses()).as("100 fields: " + printable(atLimit.text())).containsExactly(200);
    }

    private static String fields(int count) {
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < count; i++) {
            fields.append("X-").append(i).append(": 1\r\n");
        }
        return fields.toString();
    }

    /** A valid request with Content-Length, a chunked one, and three pipelined: all reach the upstream. */
    private static void validRequestsReach(int listener, RecordingUpstream upstream, String when) throws IOException {
        int before = upstream.requests().size();
        Exchange length = exchange(listener, "POST /length-" + when + " HTTP/1.1\r\nHost: example.test\r\n"
                + "Content-Length: 5\r\n\r\nhello", 1);
        assertThat(length.statuses()).as(printable(length.text())).containsExactly(200);
        Exchange chunked = exchange(listener, "POST /chunked-" + when + " HTTP/1.1\r\nHost: example.test\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", 1);
        assertThat(chunked.statuses()).as(printable(chunked.text())).containsExactly(200);
        Exchange pipelined = exchange(listener, "GET /pipelined-1-" + when + " HTTP/1.1\r\nHost: example.test\r\n\r\n"
                + "POST /pipelined-2-" + when + " HTTP/1.1\r\nHost: example.test\r\nContent-Length: 3\r\n\r\nabc"
                + "POST /pipelined-3-" + when + " HTTP/1.1\r\nHost: example.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nde\r\n0\r\n\r\n", 3);
        assertThat(pipelined.statuses()).as(printable(pipelined.text())).containsExactly(200, 200, 200);
        List<String> seen = upstream.requests().subList(before, upstream.requests().size());
        assertThat(seen).as("requests the upstream received " + when + " the refused ones").containsExactly(
                "POST /length-" + when + " body=hello",
                "POST /chunked-" + when + " body=hello world",
                "GET /pipelined-1-" + when + " body=",
                "POST /pipelined-2-" + when + " body=abc",
                "POST /pipelined-3-" + when + " body=de");
    }

    private static String config(int listener, int admin, RecordingUpstream upstream) {
        return """
                admin:
                  address: 127.0.0.1:%d
                listeners:
                  web:
                    protocol: http
                    address: 127.0.0.1:%d
                    routes:
                      - name: app
                        action: {proxy: {upstream: app}}
                upstreams:
                  app:
                    protocol: http
                    endpoints: [127.0.0.1:%d]
                """.formatted(admin, listener, upstream.port());
    }

    private static List<Case> refusedCases() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("Content-Length and Transfer-Encoding", POST
                + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
        cases.add(new Case("Transfer-Encoding and Content-Length", POST
                + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"));
        cases.add(new Case("CL.TE smuggling a request", POST + "Content-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: example.test\r\n\r\n"));
        cases.add(new Case("two equal Content-Length", POST + "Content-Length: 1\r\nContent-Length: 1\r\n\r\nx"));
        cases.add(new Case("two different Content-Length", POST + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nxy"));
        cases.add(new Case("Content-Length list", POST + "Content-Length: 1, 1\r\n\r\nx"));
        cases.add(new Case("Content-Length with a sign", POST + "Content-Length: +1\r\n\r\nx"));
        cases.add(new Case("hexadecimal Content-Length", POST + "Content-Length: 0x1\r\n\r\nx"));
        cases.add(new Case("Content-Length beyond a long", POST + "Content-Length: 99999999999999999999\r\n\r\nx"));
        cases.add(new Case("Transfer-Encoding gzip", POST + "Transfer-Encoding: gzip\r\nContent-Length: 1\r\n\r\nx"));
        cases.add(new Case("Transfer-Encoding chunked, gzip", POST + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"));
        cases.add(new Case("Transfer-Encoding gzip, chunked", POST + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"));
        cases.add(new Case("Transfer-Encoding xchunked", POST + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"));
        cases.add(new Case("Transfer-Encoding chunked with a vertical tab", POST
                + "Transfer-Encoding: chunked\u000b\r\n\r\n0\r\n\r\n"));
        cases.add(new Case("two Transfer-Encoding chunked", POST
                + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
        cases.add(new Case("obsolete line folding", GET + "X-A: b\r\n c\r\n\r\n"));
        cases.add(new Case("Transfer-Encoding folded", POST + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n"));
        cases.add(new Case("space before the colon", "GET / HTTP/1.1\r\nHost : example.test\r\n\r\n"));
        cases.add(new Case("Transfer-Encoding with space before the colon", POST
                + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n"));
        cases.add(new Case("name with @", GET + "X@Y: 1\r\n\r\n"));
        cases.add(new Case("empty name", GET + ": 1\r\n\r\n"));
        cases.add(new Case("NUL in a value", GET + "X: a\u0000b\r\n\r\n"));
        cases.add(new Case("control character in a value", GET + "X: a\u0001b\r\n\r\n"));
        cases.add(new Case("bare CR in a value", GET + "X: a\rY: b\r\n\r\n"));
        cases.add(new Case("bare CR as a request line separator", "GET\r/ HTTP/1.1\r\nHost: example.test\r\n\r\n"));
        cases.add(new Case("bare LF after the request line", "GET / HTTP/1.1\nHost: example.test\r\n\r\n"));
        cases.add(new Case("bare LF after a field", GET + "X: b\nY: c\r\n\r\n"));
        cases.add(new Case("bare LF ending the head", GET + "\n"));
        cases.add(new Case("chunk size ended by a bare LF", CHUNKED + "1\nx\r\n0\r\n\r\n"));
        cases.add(new Case("chunk extension ended by a bare LF", CHUNKED + "1;a=b\nx\r\n0\r\n\r\n"));
        cases.add(new Case("bare CR in a chunk extension", CHUNKED + "1;a\rb\r\nx\r\n0\r\n\r\n"));
        cases.add(new Case("hexadecimal prefix in a chunk size", CHUNKED + "0x1\r\nx\r\n0\r\n\r\n"));
        cases.add(new Case("garbage after a chunk size", CHUNKED + "1 zz\r\nx\r\n0\r\n\r\n"));
        cases.add(new Case("negative chunk size", CHUNKED + "-1\r\nx\r\n0\r\n\r\n"));
        cases.add(new Case("chunk size of 2^32 hiding a request", CHUNKED
                + "100000000\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: example.test\r\n\r\n"));
        cases.add(new Case("chunk data longer than its size", CHUNKED + "1\r\nxyz\r\n0\r\n\r\n"));
        cases.add(new Case("folded trailer field", CHUNKED + "1\r\nx\r\n0\r\nX-T: 1\r\n 2\r\n\r\n"));
        cases.add(new Case("HTTP/1.0 with Transfer-Encoding chunked", "POST / HTTP/1.0\r\nHost: example.test\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n"));
        cases.add(new Case("HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n"));
        cases.add(new Case("two Host fields", GET + "Host: example.org\r\n\r\n"));
        cases.add(new Case("Host with a path", "GET / HTTP/1.1\r\nHost: example.test/a\r\n\r\n"));
        cases.add(new Case("absolute-form naming another host", "GET http://example.org/x HTTP/1.1\r\n"
                + "Host: example.test\r\n\r\n"));
        cases.add(new Case("asterisk-form with GET", "GET * HTTP/1.1\r\nHost: example.test\r\n\r\n"));
        cases.add(new Case("authority-form with GET", "GET example.test:80 HTTP/1.1\r\nHost: example.test\r\n\r\n"));
        cases.add(new Case("two spaces in the request line", "GET  / HTTP/1.1\r\nHost: example.test\r\n\r\n"));
        cases.add(new Case("NUL in the request target", "GET /a\u0000b HTTP/1.1\r\nHost: example.test\r\n\r\n"));
        cases.add(new Case("control characters before the request line", "\u0000\u0001GET / HTTP/1.1\r\n"
                + "Host: example.test\r\n\r\n"));
        cases.add(new Case("431 more header fields than max-headers", GET + fields(150) + "\r\n"));
        return cases;
    }

    /** Sends {@code text} on a new connection and reads the answers (see {@link #read}). */
    private static Exchange exchange(int port, String text, int expected) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return read(socket, expected);
        }
    }

    /**
     * Reads until the gateway closes, or until {@code expected} complete responses (bodies end with a newline) have
     * come, or until one came and the gateway then stays silent for two seconds. Bounded by 20 s in all.
     */
    private static Exchange read(Socket socket, int expected) throws IOException {
        socket.setSoTimeout(2000);
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        boolean closed = false;
        while (System.nanoTime() < deadline) {
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    closed = true;
                    break;
                }
                received.write(buffer, 0, n);
                String text = received.toString(StandardCharsets.ISO_8859_1);
                if (expected != Integer.MAX_VALUE && statuses(text).size() >= expected && text.endsWith("\n")) {
                    break;
                }
            } catch (SocketTimeoutException silent) {
                if (!statuses(received.toString(StandardCharsets.ISO_8859_1)).isEmpty()) {
                    break;
                }
            } catch (IOException reset) {
                closed = true;
                break;
            }
        }
        String text = received.toString(StandardCharsets.ISO_8859_1);
        return new Exchange(text, statuses(text), closed);
    }

    private static List<Integer> statuses(String text) {
        List<Integer> statuses = new ArrayList<>();
        Matcher matcher = STATUS_LINE.matcher(text);
        while (matcher.find()) {
            statuses.add(Integer.parseInt(matcher.group(1)));
        }
        return statuses;
    }

    private static String printable(String text) {
        String shown = text.length() > 300 ? text.substring(0, 300) + "..." : text;
        return shown.replace("\r", "\\r").replace("\n", "\\n");
    }

    /**
     * A fake HTTP/1.1 upstream on a plain {@link ServerSocket}: it counts every byte it receives, records each
     * request as {@code METHOD /path body=...} (Content-Length and chunked bodies), and answers 200 {@code ok}.
     */
    static final class RecordingUpstream implements AutoCloseable {
        private final ServerSocket server;
        private final AtomicLong bytes = new AtomicLong();
        private final List<String> requests = new CopyOnWriteArrayList<>();
        private final List<Socket> connections = new CopyOnWriteArrayList<>();

        private RecordingUpstream(ServerSocket server) {
            this.server = server;
        }

        static RecordingUpstream start(int port) {
            try {
                ServerSocket server = new ServerSocket();
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                RecordingUpstream upstream = new RecordingUpstream(server);
                Thread.ofVirtual().name("recording-upstream").start(upstream::accept);
                return upstream;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        int port() {
            return server.getLocalPort();
        }

        long bytes() {
            return bytes.get();
        }

        List<String> requests() {
            return requests;
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    connections.add(socket);
                    Thread.ofVirtual().name("recording-upstream-connection").start(() -> serve(socket));
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void serve(Socket socket) {
            try (socket) {
                CountingInput in = new CountingInput(socket.getInputStream(), bytes);
                OutputStream out = socket.getOutputStream();
                while (true) {
                    String requestLine = in.line();
                    if (requestLine == null) {
                        return;
                    }
                    if (requestLine.isEmpty()) {
                        continue;
                    }
                    long contentLength = 0;
                    boolean chunked = false;
                    String line;
                    while ((line = in.line()) != null && !line.isEmpty()) {
                        int colon = line.indexOf(':');
                        String name = colon < 0 ? line : line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                        String value = colon < 0 ? "" : line.substring(colon + 1).trim();
                        if (name.equals("content-length")) {
                            contentLength = Long.parseLong(value);
                        } else if (name.equals("transfer-encoding")) {
                            chunked = value.equalsIgnoreCase("chunked");
                        }
                    }
                    if (line == null) {
                        return;
                    }
                    ByteArrayOutputStream body = new ByteArrayOutputStream();
                    if (chunked) {
                        while (true) {
                            String size = in.line();
                            int semicolon = size.indexOf(';');
                            long n = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
                            if (n == 0) {
                                while (!in.line().isEmpty()) {
                                    // trailer fields
                                }
                                break;
                            }
                            body.write(in.bytes(n));
                            in.line();
                        }
                    } else {
                        body.write(in.bytes(contentLength));
                    }
                    String[] parts = requestLine.split(" ");
                    requests.add(parts[0] + " " + (parts.length > 1 ? parts[1] : "") + " body="
                            + body.toString(StandardCharsets.ISO_8859_1));
                    out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
            } catch (IOException | RuntimeException ended) {
                // The gateway closed the connection, or sent something this fake cannot read: the byte count
                // already tells that something arrived.
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : connections) {
                socket.close();
            }
        }
    }

    /** An input stream reader of CRLF lines and counted bytes. */
    private static final class CountingInput {
        private final InputStream in;
        private final AtomicLong counter;

        CountingInput(InputStream in, AtomicLong counter) {
            this.in = in;
            this.counter = counter;
        }

        /** The next line without its CRLF (or LF), or null at the end of the stream. */
        String line() throws IOException {
            StringBuilder line = new StringBuilder();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return line.isEmpty() ? null : line.toString();
                }
                counter.incrementAndGet();
                if (b == '\n') {
                    int length = line.length();
                    return length > 0 && line.charAt(length - 1) == '\r' ? line.substring(0, length - 1)
                            : line.toString();
                }
                line.append((char) b);
            }
        }

        byte[] bytes(long count) throws IOException {
            byte[] bytes = in.readNBytes((int) count);
            counter.addAndGet(bytes.length);
            return bytes;
        }
    }
}
