package dev.junction.plugin.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.plugin.http.Http1ResponseReader.Mode;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.vertx.core.MultiMap;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The upstream response reader fed well-formed responses whole, byte by byte and cut in two at every index, in both
 * modes; fed malformed ones, which must fail; and the head it writes for the client. Every buffer the reader
 * allocates, reads or hands to its sink must be released by the end of each test.
 */
class Http1ResponseReaderTest {

    private static final int MAX_HEAD_SIZE = 8192;
    private static final byte[] VIA_LINE = bytes("Via: 1.1 junction\r\n");
    /** Put before the readable bytes of every other input buffer: a reader that looks back would find a false end. */
    private static final byte[] ALREADY_READ = bytes("\n\r\n");

    private static final String CONTENT_LENGTH_HEAD = "HTTP/1.1 200 OK\r\n"
            + "Content-Type: text/plain\r\n"
            + "Content-Length: 14\r\n"
            + "\r\n";
    private static final String CONTENT_LENGTH_BODY = "hello\r\n\r\nworld";
    private static final String CONTENT_LENGTH_RESPONSE = CONTENT_LENGTH_HEAD + CONTENT_LENGTH_BODY;

    private static final String CHUNKED_HEAD = "HTTP/1.1 200 OK\r\n"
            + "Transfer-Encoding: chunked\r\n"
            + "Trailer: Expires, X-Checksum\r\n"
            + "\r\n";
    private static final String CHUNKED_BODY = "5;name=value\r\n"
            + "hello\r\n"
            + "1 \t; a ; b=\"q s\"\r\n"
            + " \r\n"
            + "4\r\n"
            + "\r\n\r\n\r\n"
            + "00B\r\n"
            + "world again\r\n"
            + "0;last\r\n"
            + "Expires: Wed, 21 Oct 2015 07:28:00 GMT\r\n"
            + "X-Checksum: abc\r\n"
            + "x-checksum:  def \r\n"
            + "\r\n";
    private static final String CHUNKED_RESPONSE = CHUNKED_HEAD + CHUNKED_BODY;
    private static final String CHUNKED_DATA = "hello \r\n\r\nworld again";
    private static final List<String> CHUNKED_TRAILERS = List.of(
            "Expires: Wed, 21 Oct 2015 07:28:00 GMT", "X-Checksum: abc", "x-checksum: def");

    private final TrackingAllocator allocator = new TrackingAllocator();
    private final List<Http1ResponseReader> readers = new ArrayList<>();

    @AfterEach
    void everyBufferIsReleased() {
        readers.forEach(Http1ResponseReader::release);
        assertThat(allocator.buffers).as("buffers the reader allocated").allSatisfy(
                buffer -> assertThat(buffer.refCnt()).as("reference count").isZero());
    }

    // Content-Length

    @ParameterizedTest
    @EnumSource(Mode.class)
    void contentLengthBodyInOneRead(Mode mode) {
        Exchange exchange = exchange(mode).feed(CONTENT_LENGTH_RESPONSE);

        assertThat(exchange.status).isEqualTo(200);
        assertThat(exchange.keepAlive).isTrue();
        assertThat(exchange.headers.get("content-type")).isEqualTo("text/plain");
        exchange.assertEnded(CONTENT_LENGTH_BODY);
        assertThat(exchange.trailers.isEmpty()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void contentLengthBodySplitAnywhere(Mode mode) {
        everySplit(mode, CONTENT_LENGTH_RESPONSE, exchange -> {
            assertThat(exchange.status).isEqualTo(200);
            exchange.assertEnded(CONTENT_LENGTH_BODY);
        });
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void emptyContentLengthBodyEndsWithTheHead(Mode mode) {
        everySplit(mode, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", exchange -> exchange.assertEnded(""));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void repeatedEqualContentLengthsAreOneLength(Mode mode) {
        Exchange exchange = exchange(mode)
                .feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length:  2 \r\n\r\nok");

        exchange.assertEnded("ok");
    }

    // Chunked

    @Test
    void rawChunkedBodyIsPassedOnExactlyAsReceived() {
        everySplit(Mode.RAW, CHUNKED_RESPONSE, exchange -> {
            exchange.assertEnded(CHUNKED_BODY);
            assertThat(exchange.trailers.isEmpty()).as("trailers in RAW mode").isTrue();
        });
    }

    @Test
    void decodedChunkedBodyIsTheDataAndTheTrailers() {
        everySplit(Mode.DECODED, CHUNKED_RESPONSE, exchange -> {
            exchange.assertEnded(CHUNKED_DATA);
            assertThat(lines(exchange.trailers)).containsExactlyElementsOf(CHUNKED_TRAILERS);
            assertThat(exchange.trailers.getAll("X-CHECKSUM")).containsExactly("abc", "def");
        });
    }

    @Test
    void chunkedBodyWithoutTrailers() {
        String body = "3\r\nabc\r\n0\r\n\r\n";
        everySplit(Mode.RAW, CHUNKED_HEAD + body, exchange -> exchange.assertEnded(body));
        everySplit(Mode.DECODED, CHUNKED_HEAD + body, exchange -> {
            exchange.assertEnded("abc");
            assertThat(exchange.trailers.isEmpty()).isTrue();
        });
    }

    @Test
    void chunkedBodyWithOnlyTheLastChunk() {
        String body = "0\r\n\r\n";
        everySplit(Mode.RAW, CHUNKED_HEAD + body, exchange -> exchange.assertEnded(body));
        everySplit(Mode.DECODED, CHUNKED_HEAD + body, exchange -> exchange.assertEnded(""));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void chunkSizesInEitherCaseWithLeadingZerosAndSpaceBeforeExtensions(Mode mode) {
        String body = "a\r\n0123456789\r\n"
                + "A\r\nabcdefghij\r\n"
                + "000000000000001 ;x\r\n!\r\n" // 15 digits: the most the reader takes
                + "0\r\n\r\n";
        Exchange exchange = exchange(mode).feed(CHUNKED_HEAD + body);

        exchange.assertEnded(mode == Mode.RAW ? body : "0123456789abcdefghij!");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void chunkLineUpToTheLimitIsAccepted(Mode mode) {
        String extension = ";" + "e".repeat(4000);
        String body = "5" + extension + "\r\nhello\r\n0\r\nX-Long: " + "v".repeat(4000) + "\r\n\r\n";
        Exchange exchange = exchange(mode).feed(CHUNKED_HEAD + body);

        exchange.assertEnded(mode == Mode.RAW ? body : "hello");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void transferEncodingNameAndValueIgnoreCase(Mode mode) {
        Exchange exchange = exchange(mode)
                .feed("HTTP/1.1 200 OK\r\ntransfer-encoding:CHUNKED \r\n\r\n2\r\nok\r\n0\r\n\r\n");

        exchange.assertEnded(mode == Mode.RAW ? "2\r\nok\r\n0\r\n\r\n" : "ok");
    }

    @Test
    void decodedTrailerValuesKeepObsoleteText() {
        Exchange exchange = exchange(Mode.DECODED).feed(CHUNKED_HEAD + "0\r\nX-Name: caf\u00e9\r\n\r\n");

        exchange.assertEnded("");
        assertThat(exchange.trailers.get("x-name")).isEqualTo("caf\u00e9");
    }

    /**
     * A chunk extension value may be a quoted string, which may hold obs-text (RFC 9112 7.1.1, RFC 9110 5.6.4): bytes
     * from 0x80 are not control characters.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void chunkExtensionMayCarryObsoleteText(Mode mode) {
        String body = "5;name=\"caf\u00e9\"\r\nhello\r\n0\r\n\r\n";
        Exchange exchange = exchange(mode);

        assertThatCode(() -> exchange.feed(CHUNKED_HEAD + body))
                .as("a chunk extension with a byte 0xE9 in a quoted string is valid, not a control character")
                .doesNotThrowAnyException();
        exchange.assertEnded(mode == Mode.RAW ? body : "hello");
    }

    // The head

    /** Cuts the bytes around the empty line that ends the head in every combination, so several reads make it up. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("headEnds")
    void headEndSplitInEveryPosition(String name, String head, String body) {
        String response = head + body;
        int end = head.length();
        int[] positions = IntStream.rangeClosed(end - 5, Math.min(end + 1, response.length())).toArray();
        for (Mode mode : Mode.values()) {
            for (int subset = 0; subset < 1 << positions.length; subset++) {
                int chosen = subset;
                int[] cuts = IntStream.range(0, positions.length).filter(i -> (chosen & 1 << i) != 0)
                        .map(i -> positions[i]).toArray();
                Exchange exchange = exchange(mode);
                try {
                    exchange.feed(response, cuts);
                    exchange.reader.closed(); // ends the response without framing, changes nothing for the others
                    assertThat(exchange.status).isEqualTo(200);
                    exchange.assertEnded(mode == Mode.DECODED && body.startsWith("2\r\n") ? "ok" : body);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError(mode + ", cut at " + Arrays.toString(cuts) + ": " + e, e);
                }
            }
        }
    }

    static Stream<Arguments> headEnds() {
        return Stream.of(
                Arguments.of("CRLF CRLF", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", "ok"),
                Arguments.of("LF LF", "HTTP/1.1 200 OK\nContent-Length: 2\n\n", "ok"),
                Arguments.of("CRLF LF", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\n", "ok"),
                Arguments.of("LF CRLF", "HTTP/1.1 200 OK\nContent-Length: 2\n\r\n", "ok"),
                Arguments.of("no fields", "HTTP/1.1 200 OK\r\n\r\n", "ok"),
                Arguments.of("chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                        "2\r\nok\r\n0\r\n\r\n"),
                Arguments.of("body of line ends", "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n", "\r\n\r\n"));
    }

    @Test
    void lineFeedAloneEndsLines() {
        String head = "HTTP/1.1 200 OK\nContent-Type: text/plain\nTransfer-Encoding: chunked\n\n";
        String body = "5;x=y\nhello\n1\r\n!\n0\nX-T: v\n\n";
        everySplit(Mode.RAW, head + body, exchange -> {
            assertThat(exchange.headers.get("content-type")).isEqualTo("text/plain");
            exchange.assertEnded(body);
        });
        everySplit(Mode.DECODED, head + body, exchange -> {
            exchange.assertEnded("hello!");
            assertThat(lines(exchange.trailers)).containsExactly("X-T: v");
        });
    }

    @Test
    void headFieldsAreReadAsReceived() {
        String head = "HTTP/1.0 203 Non-Authoritative Information\r\n"
                + "Content-Length:   7  \r\n"
                + "X-Multi: a\r\n"
                + "x-multi: b\r\n"
                + "X-Latin: caf\u00e9\r\n"
                + "X-Empty:\r\n"
                + "X-Tab:\tin\tside\t\r\n"
                + "\r\n";
        Exchange exchange = exchange(Mode.DECODED);
        exchange.onHead = received -> {
            assertThat(received.status()).isEqualTo(203);
            assertThat(received.http10()).isTrue();
            assertThat(received.contentLength()).isEqualTo(7);
            assertThat(received.chunked()).isFalse();
            assertThat(received.fieldCount()).isEqualTo(6);
            assertThat(received.contains("x-multi")).isTrue();
            assertThat(received.contains("content-length")).isTrue();
            assertThat(received.contains("x-missing")).isFalse();
            assertThat(received.contains("x-mult")).isFalse();
            assertThat(received.size()).isEqualTo(head.length());
            MultiMap headers = received.headers();
            assertThat(headers.getAll("X-MULTI")).containsExactly("a", "b");
            assertThat(headers.get("content-length")).isEqualTo("7");
            assertThat(headers.get("x-latin")).isEqualTo("caf\u00e9");
            assertThat(headers.get("x-empty")).isEmpty();
            assertThat(headers.get("x-tab")).isEqualTo("in\tside");
            assertThat(received.headers()).isSameAs(headers);
        };

        exchange.feed(head + "1234567");

        exchange.assertEnded("1234567");
        assertThat(exchange.keepAlive).isFalse();
    }

    @Test
    void headUpToTheLimitIsAcceptedAndOneByteMoreFails() {
        String atLimit = headOfSize(64);
        String overLimit = headOfSize(65);
        for (Split split : splits(atLimit.length() + 2)) {
            Exchange exchange = new Exchange(newReader(64), Mode.RAW, false).feed(atLimit + "ok", split.cuts);
            exchange.assertEnded("ok");
        }
        for (Split split : splits(overLimit.length() + 2)) {
            Exchange exchange = new Exchange(newReader(64), Mode.RAW, false);
            assertThatThrownBy(() -> exchange.feed(overLimit + "ok", split.cuts))
                    .as(split.name)
                    .isInstanceOf(Http1ResponseException.class)
                    .hasMessageContaining("response head larger than 64 bytes");
            assertThat(exchange.heads).isZero();
        }
    }

    @Test
    void headWithoutAnEndFailsOnceLargerThanTheLimit() {
        Exchange exchange = new Exchange(newReader(64), Mode.RAW, false);
        String prefix = "HTTP/1.1 200 OK\r\nX-Endless: ";
        String start = prefix + "x".repeat(64 - prefix.length());

        exchange.feed(start);
        assertThatThrownBy(() -> exchange.feed("x"))
                .isInstanceOf(Http1ResponseException.class)
                .hasMessageContaining("response head larger than 64 bytes");
    }

    // Responses without a body

    @ParameterizedTest(name = "{0}")
    @MethodSource("responsesWithoutBody")
    void responseWithoutBodyEndsWithItsHead(String name, boolean headRequest, String response, int status) {
        for (Mode mode : Mode.values()) {
            for (Split split : splits(response.length())) {
                Exchange exchange = new Exchange(newReader(), mode, headRequest).feed(response, split.cuts);
                assertThat(exchange.status).as(split.name).isEqualTo(status);
                exchange.assertEnded("");
                assertThatThrownBy(() -> exchange.feed("0123456789"))
                        .as("a body after a response that has none")
                        .isInstanceOf(Http1ResponseException.class)
                        .hasMessageContaining("bytes after the end of the response");
            }
        }
    }

    static Stream<Arguments> responsesWithoutBody() {
        return Stream.of(
                Arguments.of("HEAD, Content-Length", true, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", 200),
                Arguments.of("HEAD, chunked", true, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 200),
                Arguments.of("HEAD, no framing", true, "HTTP/1.1 200 OK\r\n\r\n", 200),
                Arguments.of("HEAD, 404", true, "HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\n\r\n", 404),
                Arguments.of("204, Content-Length", false,
                        "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", 204),
                Arguments.of("204, HTTP/1.0", false, "HTTP/1.0 204 No Content\r\n\r\n", 204),
                Arguments.of("304, Content-Length", false, "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
                        304),
                Arguments.of("304, chunked", false,
                        "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n", 304));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void headResponseKeepsTheConnection(Mode mode) {
        Exchange exchange = new Exchange(newReader(), mode, true).feed("HTTP/1.1 200 OK\r\n\r\n");

        exchange.assertEnded("");
        assertThat(exchange.keepAlive).isTrue();
    }

    // Informational responses

    @ParameterizedTest
    @EnumSource(Mode.class)
    void interimResponsesAreSkipped(Mode mode) {
        String response = "HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 102 Processing\n\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        everySplit(mode, response, exchange -> {
            assertThat(exchange.status).isEqualTo(200);
            assertThat(exchange.headers.contains("link")).isFalse();
            exchange.assertEnded("ok");
        });
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void interimResponseBeforeOneWithoutBody(Mode mode) {
        everySplit(mode, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", exchange -> {
            assertThat(exchange.status).isEqualTo(204);
            exchange.assertEnded("");
        });
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void switchingProtocolsFails(Mode mode) {
        Exchange exchange = exchange(mode);

        assertThatThrownBy(() -> exchange.feed(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"))
                .isInstanceOf(Http1ResponseException.class)
                .hasMessageContaining("switched protocols");
        assertThat(exchange.heads).isZero();
    }

    // Bodies that end when the connection closes

    @ParameterizedTest
    @EnumSource(Mode.class)
    void closeDelimitedBodyEndsWhenTheConnectionCloses(Mode mode) {
        for (String version : List.of("HTTP/1.1", "HTTP/1.0")) {
            String body = "until\r\n\r\nthe end\r\n0\r\n\r\n";
            everySplit(mode, version + " 200 OK\r\nContent-Type: text/plain\r\n\r\n" + body, exchange -> {
                assertThat(exchange.keepAlive).isFalse();
                assertThat(exchange.ends).as("ended before the close").isZero();
                assertThat(exchange.body()).isEqualTo(body);
                exchange.reader.closed();
                exchange.assertEnded(body);
            });
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void emptyCloseDelimitedBody(Mode mode) {
        Exchange exchange = exchange(mode).feed("HTTP/1.0 200 OK\r\n\r\n");

        exchange.reader.closed();

        exchange.assertEnded("");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cutBeforeTheHead")
    void closedBeforeTheHeadFails(String name, String received) {
        for (Mode mode : Mode.values()) {
            Exchange exchange = exchange(mode).feed(received);

            assertThatThrownBy(exchange.reader::closed)
                    .isInstanceOf(Http1ResponseException.class)
                    .hasMessageContaining("closed before the response head");
            assertThat(exchange.heads).isZero();
            assertThat(exchange.ends).isZero();
        }
    }

    static Stream<Arguments> cutBeforeTheHead() {
        return Stream.of(
                Arguments.of("nothing", ""),
                Arguments.of("part of the status line", "HTTP/1."),
                Arguments.of("part of the fields", "HTTP/1.1 200 OK\r\nContent-Le"),
                Arguments.of("all but the last line feed", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r"),
                Arguments.of("an interim response only", "HTTP/1.1 100 Continue\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cutMidResponse")
    void closedMidResponseFails(String name, String received) {
        for (Mode mode : Mode.values()) {
            Exchange exchange = exchange(mode).feed(received);

            assertThatThrownBy(exchange.reader::closed)
                    .isInstanceOf(Http1ResponseException.class)
                    .hasMessageContaining("closed mid-response");
            assertThat(exchange.heads).isOne();
            assertThat(exchange.ends).isZero();
            assertThat(exchange.reader.idle()).isTrue();
        }
    }

    static Stream<Arguments> cutMidResponse() {
        String lengthHead = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
        return Stream.of(
                Arguments.of("before a Content-Length body", lengthHead),
                Arguments.of("in a Content-Length body", lengthHead + "hell"),
                Arguments.of("before the first chunk", CHUNKED_HEAD),
                Arguments.of("in a chunk size", CHUNKED_HEAD + "5;ext"),
                Arguments.of("after a chunk size", CHUNKED_HEAD + "5\r\n"),
                Arguments.of("in chunk data", CHUNKED_HEAD + "5\r\nhel"),
                Arguments.of("before the line end of chunk data", CHUNKED_HEAD + "5\r\nhello"),
                Arguments.of("in the line end of chunk data", CHUNKED_HEAD + "5\r\nhello\r"),
                Arguments.of("after the last chunk", CHUNKED_HEAD + "5\r\nhello\r\n0\r\n"),
                Arguments.of("in a trailer", CHUNKED_HEAD + "0\r\nX-T: v"),
                Arguments.of("after a trailer", CHUNKED_HEAD + "0\r\nX-T: v\r\n"),
                Arguments.of("in the last line", CHUNKED_HEAD + "0\r\n\r"));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void closedAfterTheResponseEndedIsQuiet(Mode mode) {
        Exchange exchange = exchange(mode).feed(CONTENT_LENGTH_RESPONSE);

        exchange.reader.closed();

        exchange.assertEnded(CONTENT_LENGTH_BODY);
        assertThatCode(newReader()::closed).as("a reader that never expected anything").doesNotThrowAnyException();
    }

    // Malformed responses

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedResponses")
    void malformedResponseFails(String name, String response, String message) {
        for (Mode mode : Mode.values()) {
            for (Split split : List.of(new Split("whole", new int[0]), byteByByte(response.length()))) {
                Exchange exchange = exchange(mode);
                assertThatThrownBy(() -> exchange.feed(response, split.cuts))
                        .as(mode + ", " + split.name)
                        .isInstanceOf(Http1ResponseException.class)
                        .hasMessageStartingWith("http: invalid response from upstream: ")
                        .hasMessageContaining(message);
                assertThat(exchange.ends).isZero();
            }
        }
    }

    static Stream<Arguments> malformedResponses() {
        String ok = "HTTP/1.1 200 OK\r\n";
        String chunked = ok + "Transfer-Encoding: chunked\r\n\r\n";
        return Stream.of(
                // status line
                malformed("no space after the code", "HTTP/1.1 200OK\r\n\r\n", "invalid status line"),
                malformed("HTTP/2.0", "HTTP/2.0 200 OK\r\n\r\n", "invalid status line"),
                malformed("HTTP/1.2", "HTTP/1.2 200 OK\r\n\r\n", "invalid status line"),
                malformed("HTTP/1.10", "HTTP/1.10 200 OK\r\n\r\n", "invalid status line"),
                malformed("lower-case version", "http/1.1 200 OK\r\n\r\n", "invalid status line"),
                malformed("no status code", "HTTP/1.1\r\n\r\n", "invalid status line"),
                malformed("empty status code", "HTTP/1.1 \r\n\r\n", "invalid status line"),
                malformed("space before the version", " HTTP/1.1 200 OK\r\n\r\n", "invalid status line"),
                malformed("empty line before the status line", "\r\n" + ok + "Content-Length: 0\r\n\r\n",
                        "invalid status line"),
                malformed("not HTTP", "ICY 200 OK\r\n\r\n", "invalid status line"),
                malformed("four-digit code", "HTTP/1.1 2000 OK\r\n\r\n", "invalid status line"),
                malformed("tab after the code", "HTTP/1.1 200\tOK\r\n\r\n", "invalid status line"),
                malformed("two spaces before the code", "HTTP/1.1  200 OK\r\n\r\n", "invalid status code"),
                malformed("two-digit code", "HTTP/1.1 20 OK\r\n\r\n", "invalid status code"),
                malformed("letter in the code", "HTTP/1.1 2x0 OK\r\n\r\n", "invalid status code"),
                malformed("negative code", "HTTP/1.1 -20 OK\r\n\r\n", "invalid status code"),
                malformed("code below 100", "HTTP/1.1 099 Low\r\n\r\n", "invalid status code"),
                malformed("code 000", "HTTP/1.1 000 Zero\r\n\r\n", "invalid status code"),
                malformed("control character in the reason", "HTTP/1.1 200 O\u0001K\r\n\r\n",
                        "control character in the reason phrase"),
                malformed("DEL in the reason", "HTTP/1.1 200 O\u007fK\r\n\r\n",
                        "control character in the reason phrase"),
                malformed("bare CR in the status line", "HTTP/1.1 200 O\rK\r\n\r\n", "bare CR in the head"),
                // field lines
                malformed("obs-fold with a space", ok + "X-A: one\r\n two\r\n\r\n", "obsolete line folding"),
                malformed("obs-fold with a tab", ok + "X-A: one\r\n\ttwo\r\n\r\n", "obsolete line folding"),
                malformed("first field line folded", ok + " X-A: one\r\n\r\n", "obsolete line folding"),
                malformed("space before the colon", ok + "X-A : v\r\n\r\n", "invalid field name"),
                malformed("empty field name", ok + ": v\r\n\r\n", "invalid field name"),
                malformed("space in the field name", ok + "X A: v\r\n\r\n", "invalid field name"),
                malformed("no colon", ok + "X-A v\r\n\r\n", "invalid field name"),
                malformed("non-token byte in the name", ok + "X-\u00e9: v\r\n\r\n", "invalid field name"),
                malformed("NUL in the name", ok + "X-A\u0000: v\r\n\r\n", "invalid field name"),
                malformed("control character in a value", ok + "X-A: a\u0001b\r\n\r\n",
                        "control character in a field value"),
                malformed("NUL in a value", ok + "X-A: a\u0000b\r\n\r\n", "control character in a field value"),
                malformed("DEL in a value", ok + "X-A: a\u007fb\r\n\r\n", "control character in a field value"),
                malformed("ESC in a value", ok + "X-A: \u001b[31m\r\n\r\n", "control character in a field value"),
                malformed("bare CR in a value", ok + "X-A: a\rb\r\n\r\n", "bare CR in the head"),
                malformed("CR alone ending a line", ok + "X-A: v\rX-B: w\r\n\r\n", "bare CR in the head"),
                malformed("CR CR LF ending a line", ok + "X-A: v\r\r\n\r\n", "bare CR in the head"),
                // framing
                malformed("Content-Length then Transfer-Encoding",
                        ok + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", "both Content-Length and"),
                malformed("Transfer-Encoding then Content-Length",
                        ok + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", "both Content-Length and"),
                malformed("Content-Length 0 with Transfer-Encoding",
                        ok + "Content-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n", "both Content-Length and"),
                malformed("gzip, chunked", ok + "Transfer-Encoding: gzip, chunked\r\n\r\n",
                        "unsupported Transfer-Encoding"),
                malformed("identity", ok + "Transfer-Encoding: identity\r\n\r\n", "unsupported Transfer-Encoding"),
                malformed("gzip", ok + "Transfer-Encoding: gzip\r\n\r\n", "unsupported Transfer-Encoding"),
                malformed("chunked, chunked", ok + "Transfer-Encoding: chunked, chunked\r\n\r\n",
                        "unsupported Transfer-Encoding"),
                malformed("chunked twice", ok + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                        "unsupported Transfer-Encoding"),
                malformed("gzip field then chunked field",
                        ok + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
                        "unsupported Transfer-Encoding"),
                malformed("empty Transfer-Encoding", ok + "Transfer-Encoding: \r\n\r\n",
                        "unsupported Transfer-Encoding"),
                malformed("Transfer-Encoding in HTTP/1.0",
                        "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                        "Transfer-Encoding in an HTTP/1.0 response"),
                malformed("conflicting Content-Length", ok + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
                        "conflicting Content-Length fields"),
                malformed("Content-Length with a letter", ok + "Content-Length: 5a\r\n\r\n", "invalid Content-Length"),
                malformed("negative Content-Length", ok + "Content-Length: -1\r\n\r\n", "invalid Content-Length"),
                malformed("Content-Length with a sign", ok + "Content-Length: +5\r\n\r\n", "invalid Content-Length"),
                malformed("empty Content-Length", ok + "Content-Length: \r\n\r\n", "invalid Content-Length"),
                malformed("Content-Length list", ok + "Content-Length: 5, 5\r\n\r\nhello", "invalid Content-Length"),
                malformed("hexadecimal Content-Length", ok + "Content-Length: 0x5\r\n\r\n", "invalid Content-Length"),
                malformed("Content-Length with a space inside", ok + "Content-Length: 1 2\r\n\r\n",
                        "invalid Content-Length"),
                malformed("Content-Length of 19 digits", ok + "Content-Length: 1000000000000000000\r\n\r\n",
                        "invalid Content-Length"),
                // chunks
                malformed("chunk size not hexadecimal", chunked + "g\r\n", "invalid chunk size"),
                malformed("empty chunk size", chunked + "\r\nhello\r\n", "invalid chunk size"),
                malformed("space before the chunk size", chunked + " 5\r\nhello\r\n", "invalid chunk size"),
                malformed("letter after the chunk size", chunked + "5x\r\nhello\r\n", "invalid chunk size"),
                malformed("0x chunk size", chunked + "0x5\r\nhello\r\n", "invalid chunk size"),
                malformed("negative chunk size", chunked + "-1\r\n", "invalid chunk size"),
                malformed("signed chunk size", chunked + "+5\r\nhello\r\n", "invalid chunk size"),
                malformed("two chunk sizes", chunked + "5 5\r\nhello\r\n", "invalid chunk size"),
                malformed("16 hexadecimal digits", chunked + "1000000000000000\r\n", "chunk size too large"),
                malformed("control character in an extension", chunked + "5;a=\u0001\r\nhello\r\n",
                        "control character in a chunk extension"),
                malformed("DEL in an extension", chunked + "5;a=\u007f\r\nhello\r\n",
                        "control character in a chunk extension"),
                malformed("bare CR in a chunk size line", chunked + "5\r;x\r\nhello\r\n", "bare CR in a chunk line"),
                malformed("CR CR LF after chunk data", chunked + "5\r\nhello\r\r\n", "bare CR in a chunk line"),
                malformed("chunk data longer than its size", chunked + "5\r\nhelloX\r\n0\r\n\r\n",
                        "chunk data longer than its size"),
                malformed("no line end after chunk data", chunked + "5\r\nhello0\r\n\r\n",
                        "chunk data longer than its size"),
                malformed("chunk size too small", chunked + "3\r\nhello\r\n0\r\n\r\n",
                        "chunk data longer than its size"),
                malformed("folded trailer", chunked + "0\r\nX-T: a\r\n b\r\n\r\n", "obsolete line folding"),
                malformed("trailer without a colon", chunked + "0\r\nbad trailer\r\n\r\n", "invalid field name"),
                malformed("control character in a trailer", chunked + "0\r\nX-T: a\u0001\r\n\r\n",
                        "control character in a field value"),
                malformed("bare CR in a trailer", chunked + "0\r\nX-T: a\rb\r\n\r\n", "bare CR in a chunk line"),
                malformed("long chunk size line", chunked + "5;" + "a".repeat(4100) + "\r\nhello\r\n",
                        "chunk line longer than 4096 bytes"),
                malformed("long trailer line", chunked + "0\r\nX-T: " + "a".repeat(4100) + "\r\n\r\n",
                        "chunk line longer than 4096 bytes"),
                malformed("long line after chunk data", chunked + "5\r\nhello" + "x".repeat(4100) + "\r\n",
                        "chunk line longer than 4096 bytes"),
                // informational responses
                malformed("101", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", "switched protocols"),
                malformed("malformed 100", "HTTP/1.1 100 Continue\r\nX A: b\r\n\r\n" + ok + "Content-Length: 0\r\n\r\n",
                        "invalid field name"));
    }

    private static Arguments malformed(String name, String response, String message) {
        return Arguments.of(name, response, message);
    }

    // Bytes out of turn

    @ParameterizedTest
    @EnumSource(Mode.class)
    void bytesAfterTheEndFail(Mode mode) {
        Exchange sameRead = exchange(mode);
        assertThatThrownBy(() -> sameRead.feed(CONTENT_LENGTH_RESPONSE + "X"))
                .isInstanceOf(Http1ResponseException.class)
                .hasMessageContaining("bytes after the end of the response");
        sameRead.assertEnded(CONTENT_LENGTH_BODY);

        Exchange chunkedSameRead = exchange(mode);
        assertThatThrownBy(() -> chunkedSameRead.feed(CHUNKED_RESPONSE + "HTTP/1.1 200 OK\r\n\r\n"))
                .isInstanceOf(Http1ResponseException.class)
                .hasMessageContaining("bytes after the end of the response");
        chunkedSameRead.assertEnded(mode == Mode.RAW ? CHUNKED_BODY : CHUNKED_DATA);

        Exchange nextRead = exchange(mode).feed(CONTENT_LENGTH_RESPONSE);
        assertThatThrownBy(() -> nextRead.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
                .isInstanceOf(Http1ResponseException.class)
                .hasMessageContaining("bytes after the end of the response");
        nextRead.assertEnded(CONTENT_LENGTH_BODY);

        Exchange afterClose = exchange(mode).feed("HTTP/1.1 200 OK\r\n\r\nall");
        afterClose.reader.closed();
        assertThatThrownBy(() -> afterClose.feed("more"))
                .isInstanceOf(Http1ResponseException.class)
                .hasMessageContaining("bytes after the end of the response");
        afterClose.assertEnded("all");
    }

    @Test
    void bytesBeforeAnythingIsExpectedFail() {
        Http1ResponseReader reader = newReader();

        assertThatThrownBy(() -> feed(reader, bytes("HTTP/1.1 200 OK\r\n\r\n")))
                .isInstanceOf(Http1ResponseException.class)
                .hasMessageContaining("bytes after the end of the response");
    }

    // Connection reuse

    @ParameterizedTest(name = "{0}")
    @MethodSource("connectionPersistence")
    void keepAliveFollowsVersionAndConnection(String name, String head, boolean keepAlive) {
        Exchange exchange = exchange(Mode.RAW).feed(head);

        assertThat(exchange.heads).isOne();
        assertThat(exchange.keepAlive).isEqualTo(keepAlive);
    }

    static Stream<Arguments> connectionPersistence() {
        String empty = "Content-Length: 0\r\n\r\n";
        return Stream.of(
                Arguments.of("HTTP/1.1", "HTTP/1.1 200 OK\r\n" + empty, true),
                Arguments.of("HTTP/1.1, close", "HTTP/1.1 200 OK\r\nConnection: close\r\n" + empty, false),
                Arguments.of("HTTP/1.1, Close", "HTTP/1.1 200 OK\r\nConnection: Close\r\n" + empty, false),
                Arguments.of("HTTP/1.1, keep-alive", "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n" + empty, true),
                Arguments.of("HTTP/1.1, close in a list", "HTTP/1.1 200 OK\r\nConnection: x-a , close\r\n" + empty,
                        false),
                Arguments.of("HTTP/1.1, close in a second field",
                        "HTTP/1.1 200 OK\r\nConnection: x-a\r\nconnection: close\r\n" + empty, false),
                Arguments.of("HTTP/1.1, closed is not close", "HTTP/1.1 200 OK\r\nConnection: closed\r\n" + empty,
                        true),
                Arguments.of("HTTP/1.1, no framing", "HTTP/1.1 200 OK\r\n\r\n", false),
                Arguments.of("HTTP/1.0", "HTTP/1.0 200 OK\r\n" + empty, false),
                Arguments.of("HTTP/1.0, keep-alive", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n" + empty, true),
                Arguments.of("HTTP/1.0, Keep-Alive", "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n" + empty, true),
                Arguments.of("HTTP/1.0, keep-alive and close",
                        "HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\n" + empty, false),
                Arguments.of("HTTP/1.0, Keep-Alive field only", "HTTP/1.0 200 OK\r\nKeep-Alive: timeout=5\r\n" + empty,
                        false),
                Arguments.of("HTTP/1.0, keep-alive, no framing",
                        "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n", false));
    }

    @Test
    void readerReadsOneResponseAfterAnother() {
        Http1ResponseReader reader = newReader();
        assertThat(reader.idle()).isTrue();

        Exchange first = new Exchange(reader, Mode.DECODED, false);
        assertThat(reader.idle()).isFalse();
        assertThat(reader.head()).isNull();
        first.feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel");
        assertThat(reader.head()).isNotNull();
        assertThat(reader.head().status()).isEqualTo(200);
        assertThat(reader.idle()).isFalse();
        first.feed("lo");
        first.assertEnded("hello");

        Exchange second = new Exchange(reader, Mode.RAW, false).feed(CHUNKED_RESPONSE);
        second.assertEnded(CHUNKED_BODY);
        assertThat(second.trailers.isEmpty()).isTrue();

        Exchange third = new Exchange(reader, Mode.DECODED, true)
                .feed("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\n");
        assertThat(third.status).isEqualTo(404);
        third.assertEnded("");

        Exchange fourth = new Exchange(reader, Mode.DECODED, false).feed(CHUNKED_RESPONSE);
        fourth.assertEnded(CHUNKED_DATA);
        assertThat(lines(fourth.trailers)).containsExactlyElementsOf(CHUNKED_TRAILERS);

        Exchange fifth = new Exchange(reader, Mode.RAW, false)
                .feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\nrest");
        reader.closed();
        fifth.assertEnded("rest");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void nextResponseMayFollowInTheSameRead(Mode mode) {
        String third = "HTTP/1.1 204 No Content\r\n\r\n";
        String all = CONTENT_LENGTH_RESPONSE + CHUNKED_RESPONSE + third;
        for (Split split : splits(all.length())) {
            Http1ResponseReader reader = newReader();
            List<Exchange> exchanges = new ArrayList<>();
            Exchange first = new Exchange(reader, mode, false);
            exchanges.add(first);
            first.onEnd = () -> {
                Exchange second = new Exchange(reader, mode, false);
                exchanges.add(second);
                second.onEnd = () -> exchanges.add(new Exchange(reader, mode, false));
            };

            first.feed(all, split.cuts);

            assertThat(exchanges).as(split.name).hasSize(3);
            exchanges.get(0).assertEnded(CONTENT_LENGTH_BODY);
            exchanges.get(1).assertEnded(mode == Mode.RAW ? CHUNKED_BODY : CHUNKED_DATA);
            assertThat(exchanges.get(2).status).isEqualTo(204);
            exchanges.get(2).assertEnded("");
        }
    }

    @Test
    void expectWhileAResponseIsReadFails() {
        Exchange exchange = exchange(Mode.RAW).feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel");

        assertThatThrownBy(() -> exchange.reader.expect(Mode.RAW, false, exchange))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> exchange(Mode.RAW).reader.expect(Mode.RAW, false, exchange))
                .as("before any byte of the expected response")
                .isInstanceOf(IllegalStateException.class);
    }

    /** The head the sink received stays usable after its response ended ("valid until the next response starts"). */
    @Test
    void headStaysValidUntilTheNextResponseStarts() {
        String expected = "HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 2\r\nVia: 1.1 junction\r\n\r\n";
        List<String> inEnd = new ArrayList<>();
        Exchange exchange = exchange(Mode.RAW);
        exchange.onEnd = () -> inEnd.add(forward(exchange.head, false, false));
        exchange.feed("HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 2\r\n\r\nok");
        exchange.assertEnded("ok");
        assertThat(inEnd).as("written in end()").containsExactly(expected);

        assertThatCode(() -> assertThat(forward(exchange.head, false, false)).isEqualTo(expected))
                .as("writing the head after the response ended, before the next expect()")
                .doesNotThrowAnyException();
    }

    // The forwarded head

    @Test
    void forwardedHeadLeavesOutHopByHopFields() {
        String head = "HTTP/1.1 200 OK\r\n"
                + "Date: Mon, 01 Jan 2024 00:00:00 GMT\r\n"
                + "Connection: close, X-Custom\r\n"
                + "Transfer-Encoding: chunked\r\n"
                + "X-Custom: secret\r\n"
                + "Keep-Alive: timeout=5\r\n"
                + "Content-Type:text/html;charset=utf-8  \r\n"
                + "Set-Cookie: a=1\r\n"
                + "Proxy-Connection: keep-alive\r\n"
                + "Upgrade: h2c\r\n"
                + "Trailer: X-Checksum\r\n"
                + "x-custom: again\r\n"
                + "set-cookie: b=2\r\n"
                + "X-Empty:\r\n"
                + "\r\n";
        String kept = "HTTP/1.1 200 OK\r\n"
                + "Date: Mon, 01 Jan 2024 00:00:00 GMT\r\n"
                + "Content-Type: text/html;charset=utf-8\r\n"
                + "Set-Cookie: a=1\r\n"
                + "Trailer: X-Checksum\r\n"
                + "set-cookie: b=2\r\n"
                + "X-Empty: \r\n"
                + "Via: 1.1 junction\r\n";
        Map<String, String> byFlags = new LinkedHashMap<>();
        Exchange exchange = exchange(Mode.RAW);
        exchange.onHead = received -> {
            byFlags.put("neither", forward(received, false, false));
            byFlags.put("chunked", forward(received, true, false));
            byFlags.put("close", forward(received, false, true));
            byFlags.put("both", forward(received, true, true));
        };

        exchange.feed(head + "0\r\n\r\n");

        exchange.assertEnded("0\r\n\r\n");
        assertThat(exchange.keepAlive).isFalse();
        assertThat(byFlags).containsExactly(
                Map.entry("neither", kept + "\r\n"),
                Map.entry("chunked", kept + "transfer-encoding: chunked\r\n\r\n"),
                Map.entry("close", kept + "connection: close\r\n\r\n"),
                Map.entry("both", kept + "transfer-encoding: chunked\r\nconnection: close\r\n\r\n"));
    }

    @Test
    void forwardedHeadOfAnHttp10Upstream() {
        Exchange exchange = exchange(Mode.RAW).feed("HTTP/1.0 200 OK\r\n"
                + "Server: test\r\n"
                + "Connection: Keep-Alive\r\n"
                + "Keep-Alive: timeout=5, max=100\r\n"
                + "Content-Length: 5\r\n"
                + "\r\n"
                + "hello");

        exchange.assertEnded("hello");
        assertThat(exchange.keepAlive).isTrue();
        assertThat(exchange.forwarded).isEqualTo("HTTP/1.1 200 OK\r\n"
                + "Server: test\r\n"
                + "Content-Length: 5\r\n"
                + "Via: 1.1 junction\r\n"
                + "\r\n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("statusLines")
    void forwardedStatusLineIsHttp11WithTheReasonAsReceived(String received, String forwarded) {
        Exchange exchange = exchange(Mode.RAW).feed(received + "\r\nContent-Length: 0\r\n\r\n");

        // A 204 goes out without Content-Length (RFC 9110 8.6), whatever the upstream wrote.
        String length = forwarded.startsWith("HTTP/1.1 204") ? "" : "Content-Length: 0\r\n";
        assertThat(exchange.forwarded).isEqualTo(forwarded + "\r\n" + length + "Via: 1.1 junction\r\n\r\n");
    }

    @Test
    void repeatedEqualContentLengthsAreForwardedAsOne() {
        Exchange exchange = exchange(Mode.RAW)
                .feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nok");

        exchange.assertEnded("ok");
        assertThat(exchange.forwarded).isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nVia: 1.1 junction\r\n\r\n");
    }

    static Stream<Arguments> statusLines() {
        return Stream.of(
                Arguments.of("HTTP/1.1 200 OK", "HTTP/1.1 200 OK"),
                Arguments.of("HTTP/1.1 404 Not Found", "HTTP/1.1 404 Not Found"),
                Arguments.of("HTTP/1.0 503 Service Unavailable", "HTTP/1.1 503 Service Unavailable"),
                Arguments.of("HTTP/1.1 204 ", "HTTP/1.1 204 "),
                Arguments.of("HTTP/1.1 204", "HTTP/1.1 204 "),
                Arguments.of("HTTP/1.1 599 odd\ttab  ", "HTTP/1.1 599 odd\ttab  "),
                Arguments.of("HTTP/1.1 200 Gr\u00fc\u00dfe", "HTTP/1.1 200 Gr\u00fc\u00dfe"),
                Arguments.of("HTTP/1.0 206 Partial Content", "HTTP/1.1 206 Partial Content"));
    }

    /**
     * A Connection option must not take away the framing the client needs: a response framed by Content-Length that
     * names content-length in Connection is either refused or forwarded with its length.
     */
    @Test
    void connectionOptionDoesNotRemoveTheContentLength() {
        Exchange exchange = exchange(Mode.RAW);
        try {
            exchange.feed("HTTP/1.1 200 OK\r\nConnection: Content-Length\r\nContent-Length: 5\r\n\r\nhello");
        } catch (Http1ResponseException refused) {
            return; // refusing the response is a correct answer too
        }

        exchange.assertEnded("hello");
        assertThat(exchange.keepAlive).isTrue();
        assertThat(exchange.forwarded)
                .as("head forwarded without chunked framing nor close: the client needs the length")
                .containsPattern("(?i)\r\ncontent-length: 5\r\n");
    }

    // Helpers

    private Http1ResponseReader newReader() {
        return newReader(MAX_HEAD_SIZE);
    }

    private Http1ResponseReader newReader(int maxHeadSize) {
        Http1ResponseReader reader = new Http1ResponseReader(allocator, maxHeadSize);
        readers.add(reader);
        return reader;
    }

    private Exchange exchange(Mode mode) {
        return new Exchange(newReader(), mode, false);
    }

    /** Reads {@code response} with a new reader in each of the {@link #splits} and checks each outcome. */
    private void everySplit(Mode mode, String response, Consumer<Exchange> check) {
        for (Split split : splits(response.length())) {
            try {
                check.accept(exchange(mode).feed(response, split.cuts));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(mode + ", " + split.name + ": " + e, e);
            }
        }
    }

    /** How a response of {@code length} bytes is cut into reads. */
    private record Split(String name, int[] cuts) {
    }

    /** Whole, byte by byte, and in two at every index (an empty read first or last included). */
    private static List<Split> splits(int length) {
        List<Split> splits = new ArrayList<>();
        splits.add(new Split("whole", new int[0]));
        splits.add(byteByByte(length));
        for (int i = 0; i <= length; i++) {
            splits.add(new Split("cut at " + i, new int[] {i}));
        }
        return splits;
    }

    private static Split byteByByte(int length) {
        return new Split("byte by byte", IntStream.range(1, length).toArray());
    }

    /**
     * Feeds {@code bytes} in reads cut at {@code cuts}, each read from a buffer of its own: pooled direct ones with
     * bytes already read before the new ones, and heap ones holding the whole response with only the read's bytes
     * between the reader and writer index. Nothing may still hold a read's buffer after it.
     */
    private static void feed(Http1ResponseReader reader, byte[] bytes, int... cuts) {
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : bytes.length;
            ByteBuf in;
            if (i % 2 == 0) {
                in = PooledByteBufAllocator.DEFAULT.directBuffer(ALREADY_READ.length + to - from);
                in.writeBytes(ALREADY_READ).skipBytes(ALREADY_READ.length);
                in.writeBytes(bytes, from, to - from);
            } else {
                in = Unpooled.buffer(bytes.length).writeBytes(bytes).setIndex(from, to);
            }
            boolean freed;
            try {
                reader.read(in);
                assertThat(in.isReadable()).as("bytes left unread").isFalse();
            } finally {
                freed = in.release();
            }
            assertThat(freed).as("a read's buffer still held after the read").isTrue();
            from = to;
        }
    }

    private static String forward(Http1ResponseHead head, boolean chunkedFraming, boolean close) {
        HeadWriter writer = HeadWriter.get();
        head.writeForwarded(writer, VIA_LINE, chunkedFraming, close);
        ByteBuf out = writer.toBuffer(PooledByteBufAllocator.DEFAULT);
        try {
            return out.toString(ISO_8859_1);
        } finally {
            out.release();
        }
    }

    /** Returns a complete head of exactly {@code size} bytes, framed by a two-byte Content-Length. */
    private static String headOfSize(int size) {
        String start = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Pad: ";
        String head = start + "p".repeat(size - start.length() - 4) + "\r\n\r\n";
        assertThat(head).hasSize(size);
        return head;
    }

    private static List<String> lines(MultiMap fields) {
        return fields.entries().stream().map(entry -> entry.getKey() + ": " + entry.getValue()).toList();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(ISO_8859_1);
    }

    /** One reader expecting one response, and what its sink received: body bytes copied, every slice released. */
    private final class Exchange implements Http1ResponseReader.Sink {
        final Http1ResponseReader reader;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        int heads;
        int ends;
        int status;
        boolean keepAlive;
        MultiMap headers;
        /** The head as forwarded without chunked framing or close, written when it arrived. */
        String forwarded;
        Http1ResponseHead head;
        MultiMap trailers;
        Consumer<Http1ResponseHead> onHead = received -> { };
        Runnable onEnd = () -> { };

        Exchange(Http1ResponseReader reader, Mode mode, boolean headRequest) {
            this.reader = reader;
            reader.expect(mode, headRequest, this);
        }

        Exchange feed(String response, int... cuts) {
            Http1ResponseReaderTest.feed(reader, bytes(response), cuts);
            return this;
        }

        String body() {
            return body.toString(ISO_8859_1);
        }

        void assertEnded(String expectedBody) {
            assertThat(heads).as("heads").isOne();
            assertThat(ends).as("ends").isOne();
            assertThat(body()).as("body").isEqualTo(expectedBody);
            assertThat(reader.idle()).as("reader idle").isTrue();
        }

        @Override
        public void head(Http1ResponseHead received) {
            assertThat(heads).as("a second head").isZero();
            assertThat(received.status()).as("status passed on").isGreaterThanOrEqualTo(200);
            heads++;
            head = received;
            status = received.status();
            keepAlive = received.keepAlive();
            headers = MultiMap.caseInsensitiveMultiMap().addAll(received.headers());
            forwarded = forward(received, false, false);
            onHead.accept(received);
        }

        @Override
        public void content(ByteBuf bytes) {
            try {
                assertThat(heads).as("content before the head").isOne();
                assertThat(ends).as("content after the end").isZero();
                assertThat(bytes.isReadable()).as("empty content").isTrue();
                body.writeBytes(ByteBufUtil.getBytes(bytes));
            } finally {
                bytes.release();
            }
        }

        @Override
        public void end(MultiMap received) {
            assertThat(heads).as("end before the head").isOne();
            assertThat(ends).as("a second end").isZero();
            ends++;
            trailers = received;
            onEnd.run();
        }
    }

    /** Allocates unpooled heap buffers and remembers them, so a test can check that each one was released. */
    private static final class TrackingAllocator extends AbstractByteBufAllocator {
        final List<ByteBuf> buffers = new ArrayList<>();

        TrackingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf buffer = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
            buffers.add(buffer);
            return buffer;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }
}
