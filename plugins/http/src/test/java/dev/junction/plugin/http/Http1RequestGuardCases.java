package dev.junction.plugin.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Request streams that the HTTP/1.x guard must refuse, and valid ones it must let through untouched. */
final class Http1RequestGuardCases {

    /** A raw request stream; {@code requests} is how many requests of it are valid (all of them, for the valid). */
    record Case(String name, byte[] bytes, int requests, int status) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final String POST = "POST /upload HTTP/1.1\r\nHost: example.test\r\n";
    private static final String GET = "GET / HTTP/1.1\r\nHost: example.test\r\n";
    private static final String CHUNKED = POST + "Transfer-Encoding: chunked\r\n\r\n";

    private Http1RequestGuardCases() {
    }

    /** Streams that are refused with 400 (or {@code status}) as their first request. */
    static List<Case> refused() {
        List<Case> cases = new ArrayList<>();
        bad(cases, "Content-Length and Transfer-Encoding", POST
                + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        bad(cases, "Transfer-Encoding and Content-Length", POST
                + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n");
        bad(cases, "two equal Content-Length", POST + "Content-Length: 1\r\nContent-Length: 1\r\n\r\nx");
        bad(cases, "two different Content-Length", POST + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nxy");
        bad(cases, "Content-Length list of equal values", POST + "Content-Length: 1, 1\r\n\r\nx");
        bad(cases, "Content-Length with a sign", POST + "Content-Length: +1\r\n\r\nx");
        bad(cases, "negative Content-Length", POST + "Content-Length: -1\r\n\r\nx");
        bad(cases, "hexadecimal Content-Length", POST + "Content-Length: 0x1\r\n\r\nx");
        bad(cases, "empty Content-Length", POST + "Content-Length: \r\n\r\n");
        bad(cases, "Content-Length with inner space", POST + "Content-Length: 1 2\r\n\r\nx");
        bad(cases, "Content-Length beyond a long", POST + "Content-Length: 99999999999999999999\r\n\r\nx");
        bad(cases, "Transfer-Encoding gzip", POST + "Transfer-Encoding: gzip\r\n\r\n");
        bad(cases, "Transfer-Encoding gzip with Content-Length", POST
                + "Transfer-Encoding: gzip\r\nContent-Length: 1\r\n\r\nx");
        bad(cases, "Transfer-Encoding chunked, gzip", POST + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n");
        bad(cases, "Transfer-Encoding gzip, chunked", POST + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
        bad(cases, "Transfer-Encoding xchunked", POST + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n");
        bad(cases, "Transfer-Encoding chunked with a vertical tab", POST
                + "Transfer-Encoding: chunked\u000b\r\n\r\n0\r\n\r\n");
        bad(cases, "Transfer-Encoding identity", POST + "Transfer-Encoding: identity\r\nContent-Length: 1\r\n\r\nx");
        bad(cases, "two Transfer-Encoding chunked", POST
                + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        bad(cases, "obsolete line folding", GET + "X-A: b\r\n c\r\n\r\n");
        bad(cases, "Transfer-Encoding folded", POST + "X-A: b\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n");
        bad(cases, "first field folded", "GET / HTTP/1.1\r\n Host: example.test\r\n\r\n");
        bad(cases, "space before the colon", "GET / HTTP/1.1\r\nHost : example.test\r\n\r\n");
        bad(cases, "tab before the colon", "GET / HTTP/1.1\r\nHost\t: example.test\r\n\r\n");
        bad(cases, "name with @", GET + "X@Y: 1\r\n\r\n");
        bad(cases, "name with a non-ASCII byte", GET + "X\u00e9: 1\r\n\r\n");
        bad(cases, "empty name", GET + ": 1\r\n\r\n");
        bad(cases, "field without colon", GET + "foo\r\n\r\n");
        bad(cases, "NUL in a value", GET + "X: a\u0000b\r\n\r\n");
        bad(cases, "control character in a value", GET + "X: a\u0001b\r\n\r\n");
        bad(cases, "DEL in a value", GET + "X: a\u007fb\r\n\r\n");
        bad(cases, "bare CR in a value", GET + "X: a\rY: b\r\n\r\n");
        bad(cases, "bare CR in the request target", "GET /\rx HTTP/1.1\r\nHost: example.test\r\n\r\n");
        bad(cases, "bare CR as a request line separator", "GET\r/ HTTP/1.1\r\nHost: example.test\r\n\r\n");
        bad(cases, "bare LF after the request line", "GET / HTTP/1.1\nHost: example.test\r\n\r\n");
        bad(cases, "bare LF after a field", GET + "X: b\nY: c\r\n\r\n");
        bad(cases, "bare LF ending the head", GET + "\n");
        bad(cases, "bare LF everywhere", "GET / HTTP/1.1\nHost: example.test\n\n");
        bad(cases, "chunk size ended by a bare LF", CHUNKED + "1\nx\r\n0\r\n\r\n");
        bad(cases, "chunk extension ended by a bare LF", CHUNKED + "1;a=b\nx\r\n0\r\n\r\n");
        bad(cases, "bare CR in a chunk extension", CHUNKED + "1;a\rb\r\nx\r\n0\r\n\r\n");
        bad(cases, "hexadecimal prefix in a chunk size", CHUNKED + "0x1\r\nx\r\n0\r\n\r\n");
        bad(cases, "garbage after a chunk size", CHUNKED + "1 zz\r\nx\r\n0\r\n\r\n");
        bad(cases, "space before a chunk size", CHUNKED + " 1\r\nx\r\n0\r\n\r\n");
        bad(cases, "negative chunk size", CHUNKED + "-1\r\nx\r\n0\r\n\r\n");
        bad(cases, "chunk size of 2^32 + 1", CHUNKED + "100000001\r\nx\r\n0\r\n\r\n");
        bad(cases, "chunk size of 2^32 hiding a request", CHUNKED
                + "100000000\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: example.test\r\n\r\n");
        bad(cases, "chunk data longer than its size", CHUNKED + "1\r\nxyz\r\n0\r\n\r\n");
        bad(cases, "folded trailer field", CHUNKED + "1\r\nx\r\n0\r\nX-T: 1\r\n 2\r\n\r\n");
        bad(cases, "HTTP/1.0 with Transfer-Encoding chunked", "POST / HTTP/1.0\r\nHost: example.test\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n");
        bad(cases, "HTTP/1.0 with Transfer-Encoding and Content-Length", "POST / HTTP/1.0\r\nHost: example.test\r\n"
                + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n1\r\nx\r\n0\r\n\r\n");
        bad(cases, "HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n");
        bad(cases, "two Host fields", GET + "Host: example.org\r\n\r\n");
        bad(cases, "Host with a path", "GET / HTTP/1.1\r\nHost: example.test/a\r\n\r\n");
        bad(cases, "Host with user information", "GET / HTTP/1.1\r\nHost: user@example.test\r\n\r\n");
        bad(cases, "absolute-form naming another host", "GET http://example.org/x HTTP/1.1\r\n"
                + "Host: example.test\r\n\r\n");
        bad(cases, "absolute-form without Host", "GET http://example.test/x HTTP/1.1\r\n\r\n");
        bad(cases, "absolute-form with another scheme", "GET ftp://example.test/x HTTP/1.1\r\n"
                + "Host: example.test\r\n\r\n");
        bad(cases, "asterisk-form with GET", "GET * HTTP/1.1\r\nHost: example.test\r\n\r\n");
        bad(cases, "authority-form with GET", "GET example.test:80 HTTP/1.1\r\nHost: example.test\r\n\r\n");
        bad(cases, "CONNECT with origin-form", "CONNECT / HTTP/1.1\r\nHost: example.test\r\n\r\n");
        bad(cases, "two spaces in the request line", "GET  / HTTP/1.1\r\nHost: example.test\r\n\r\n");
        bad(cases, "tabs in the request line", "GET\t/\tHTTP/1.1\r\nHost: example.test\r\n\r\n");
        bad(cases, "NUL in the request target", "GET /a\u0000b HTTP/1.1\r\nHost: example.test\r\n\r\n");
        bad(cases, "non-ASCII request target", "GET /caf\u00e9 HTTP/1.1\r\nHost: example.test\r\n\r\n");
        bad(cases, "lower-case HTTP version", "GET / http/1.1\r\nHost: example.test\r\n\r\n");
        bad(cases, "no HTTP version", "GET /\r\nHost: example.test\r\n\r\n");
        bad(cases, "control characters before the request line", "\u0000\u0001GET / HTTP/1.1\r\n"
                + "Host: example.test\r\n\r\n");
        bad(cases, "bare LF before the request line", "\nGET / HTTP/1.1\r\nHost: example.test\r\n\r\n");
        bad(cases, "space before the request line", " GET / HTTP/1.1\r\nHost: example.test\r\n\r\n");
        bad(cases, "PRI request that is not HTTP/2", "PRI * HTTP/1.1\r\nHost: example.test\r\n\r\n");
        StringBuilder many = new StringBuilder(GET);
        for (int i = 0; i < 120; i++) {
            many.append("X-").append(i).append(": 1\r\n");
        }
        cases.add(new Case("more header fields than max-headers", latin1(many + "\r\n"), 0, 431));
        return cases;
    }

    /** Streams of valid requests, each answered 200 by a handler that reads the body. */
    static List<Case> valid() {
        List<Case> cases = new ArrayList<>();
        good(cases, "GET", 1, GET + "\r\n");
        good(cases, "POST with Content-Length", 1, POST + "Content-Length: 5\r\n\r\nhello");
        good(cases, "chunked POST with extensions and trailers", 1, CHUNKED
                + "5;name=value;quoted=\"a b\"\r\nhello\r\n6 ; x\r\n world\r\n0\r\nX-Checksum: 1\r\n\r\n");
        good(cases, "Transfer-Encoding in capitals", 1, POST + "transfer-encoding: CHUNKED\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        good(cases, "empty lines before the request line", 1, "\r\n\r\n" + GET + "\r\n");
        good(cases, "HTTP/1.0 without Host", 1, "GET / HTTP/1.0\r\n\r\n");
        good(cases, "absolute-form naming the Host", 1, "GET http://Example.test/x?y HTTP/1.1\r\n"
                + "Host: example.TEST\r\n\r\n");
        good(cases, "OPTIONS *", 1, "OPTIONS * HTTP/1.1\r\nHost: example.test\r\n\r\n");
        good(cases, "obs-text and tabs in a value", 1, GET + "X-Name: caf\u00e9\t au lait \r\n\r\n");
        good(cases, "empty Host", 1, "GET / HTTP/1.1\r\nHost:\r\n\r\n");
        good(cases, "Host with an IPv6 literal and port", 1, "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n");
        good(cases, "chunk size with leading zeros", 1, CHUNKED + "0000000000000000003\r\nabc\r\n0\r\n\r\n");
        good(cases, "upper-case hexadecimal chunk size", 1, CHUNKED + "A\r\n0123456789\r\n0\r\n\r\n");
        good(cases, "POST starting like the HTTP/2 preface", 1, "PUT /p HTTP/1.1\r\nHost: example.test\r\n"
                + "Content-Length: 2\r\n\r\nok");
        good(cases, "pipelined requests of every framing", 4, GET + "\r\n"
                + POST + "Content-Length: 3\r\n\r\nabc"
                + CHUNKED + "2\r\nde\r\n0\r\n\r\n"
                + "\r\n" + GET + "\r\n");
        return cases;
    }

    private static void bad(List<Case> cases, String name, String text) {
        cases.add(new Case(name, latin1(text), 0, 400));
    }

    private static void good(List<Case> cases, String name, int requests, String text) {
        cases.add(new Case(name, latin1(text), requests, 200));
    }

    static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
