package dev.junction.plugin.http;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The head of an upstream's HTTP/1.x response as {@link Http1ResponseReader} read it: the bytes as received (a copy
 * in a plain array, where parsing them costs no bounds or reference-count checks per byte), with the offsets of
 * each field, validated, and what they say about framing and the connection. It writes the head to forward to a
 * client without decoding it into strings ({@link #writeForwarded}), or decodes it into a map for code that wants
 * one ({@link #headers}).
 */
final class Http1ResponseHead {

    private static final boolean[] TOKEN = new boolean[256];
    private static final boolean[] FIELD_VALUE = new boolean[256];
    private static final byte[] HTTP_1 = "HTTP/1.".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STATUS_PREFIX = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHUNKED_LINE = "transfer-encoding: chunked\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLOSE_LINE = "connection: close\r\n".getBytes(StandardCharsets.US_ASCII);

    static {
        for (int c = 0; c < 256; c++) {
            boolean alphaNumeric = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
            TOKEN[c] = alphaNumeric || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            FIELD_VALUE[c] = c == ' ' || c == '\t' || c >= 0x21 && c != 0x7F;
        }
    }

    private static final String[] KEEP_ALIVE_TOKENS = {"keep-alive"};
    private static final String[] CLOSE_TOKENS = {"close"};

    private final byte[] bytes;
    private final int status;
    private final boolean http10;
    /** Start and end of the reason phrase (after the status code, including its leading space, if any). */
    private final int reasonStart;
    private final int reasonEnd;
    /** Per field: name start, name end, value start, value end. */
    private final int[] fields;
    private final int fieldCount;
    private final long contentLength;
    private final boolean chunked;
    private boolean keepAlive;
    /** Lower-case tokens of {@code Connection}, naming more hop-by-hop fields; null when there were none. */
    private final String[] connectionTokens;
    private MultiMap headers;

    private Http1ResponseHead(byte[] bytes, int status, boolean http10, int reasonStart, int reasonEnd, int[] fields,
            int fieldCount, long contentLength, boolean chunked, boolean keepAlive, String[] connectionTokens) {
        this.bytes = bytes;
        this.status = status;
        this.http10 = http10;
        this.reasonStart = reasonStart;
        this.reasonEnd = reasonEnd;
        this.fields = fields;
        this.fieldCount = fieldCount;
        this.contentLength = contentLength;
        this.chunked = chunked;
        this.keepAlive = keepAlive;
        this.connectionTokens = connectionTokens;
    }

    /**
     * Returns the index in {@code in} just after the empty line that ends a head whose earlier bytes are in
     * {@code pending} (may be null), or -1 when the head is not complete yet. A line ends with LF, optionally
     * preceded by CR.
     */
    static int endOfHead(ByteBuf pending, ByteBuf in) {
        int end = in.writerIndex();
        int i = in.readerIndex();
        while ((i = in.indexOf(i, end, (byte) '\n')) >= 0) {
            int before = byteAt(pending, in, i - 1);
            if (before == '\n' || before == '\r' && byteAt(pending, in, i - 2) == '\n') {
                return i + 1;
            }
            i++;
        }
        return -1;
    }

    private static int byteAt(ByteBuf pending, ByteBuf in, int index) {
        if (index >= in.readerIndex()) {
            return in.getByte(index);
        }
        int back = in.readerIndex() - index;
        if (pending == null || pending.readableBytes() < back) {
            return -1;
        }
        return pending.getByte(pending.writerIndex() - back);
    }

    /** Parses a complete head: {@code bytes} from its start up to the end of its empty last line. */
    static Http1ResponseHead parse(byte[] bytes) {
        int p = 0;
        int end = bytes.length;
        int lineEnd = indexOf(bytes, p, end, (byte) '\n');
        int statusEnd = contentEnd(bytes, p, lineEnd);
        // HTTP/1.x SP 3DIGIT [SP reason]
        if (statusEnd - p < 12 || !startsWith(bytes, p, HTTP_1)) {
            throw new Http1ResponseException("invalid status line");
        }
        byte minor = bytes[p + 7];
        if (minor != '0' && minor != '1' || bytes[p + 8] != ' ') {
            throw new Http1ResponseException("invalid status line");
        }
        int status = 0;
        for (int i = p + 9; i < p + 12; i++) {
            byte b = bytes[i];
            if (b < '0' || b > '9') {
                throw new Http1ResponseException("invalid status code");
            }
            status = status * 10 + (b - '0');
        }
        if (status < 100) {
            throw new Http1ResponseException("invalid status code");
        }
        int reasonStart = p + 12;
        if (reasonStart < statusEnd && bytes[reasonStart] != ' ') {
            throw new Http1ResponseException("invalid status line");
        }
        for (int i = reasonStart; i < statusEnd; i++) {
            if (!FIELD_VALUE[bytes[i] & 0xFF]) {
                throw new Http1ResponseException("control character in the reason phrase");
            }
        }
        boolean http10 = minor == '0';
        int[] fields = new int[32];
        int count = 0;
        long contentLength = -1;
        boolean chunked = false;
        boolean close = false;
        boolean keepAliveToken = false;
        String[] tokens = null;
        p = lineEnd + 1;
        while (true) {
            // One pass over each field line: name, colon, value, line end.
            if (p >= end) {
                throw new Http1ResponseException("incomplete head");
            }
            byte first = bytes[p];
            if (first == '\n' || first == '\r' && p + 1 < end && bytes[p + 1] == '\n') {
                break; // the empty line
            }
            int nameStart = p;
            while (p < end && TOKEN[bytes[p] & 0xFF]) {
                p++;
            }
            if (p == nameStart || p == end || bytes[p] != ':') {
                throw fieldLineError(bytes, nameStart, end);
            }
            int colon = p++;
            while (p < end && isWhitespace(bytes[p])) {
                p++;
            }
            int valueStart = p;
            int valueEnd = p;
            int next;
            while (true) {
                if (p == end) {
                    throw new Http1ResponseException("incomplete head");
                }
                byte b = bytes[p];
                if (b == '\n') {
                    next = p + 1;
                    break;
                }
                if (b == '\r') {
                    if (p + 1 < end && bytes[p + 1] == '\n') {
                        next = p + 2;
                        break;
                    }
                    throw new Http1ResponseException("bare CR in the head");
                }
                if (!FIELD_VALUE[b & 0xFF]) {
                    throw fieldLineError(bytes, nameStart, end);
                }
                if (!isWhitespace(b)) {
                    valueEnd = p + 1;
                }
                p++;
            }
            if (count * 4 == fields.length) {
                fields = Arrays.copyOf(fields, fields.length * 2);
            }
            int at = count * 4;
            fields[at] = nameStart;
            fields[at + 1] = colon;
            fields[at + 2] = valueStart;
            fields[at + 3] = valueEnd;
            count++;
            int nameLength = colon - nameStart;
            if (nameLength == 14 && nameIs(bytes, nameStart, "content-length")) {
                long value = contentLength(bytes, valueStart, valueEnd);
                if (contentLength >= 0 && contentLength != value) {
                    throw new Http1ResponseException("conflicting Content-Length fields");
                }
                contentLength = value;
            } else if (nameLength == 17 && nameIs(bytes, nameStart, "transfer-encoding")) {
                if (chunked || !valueIs(bytes, valueStart, valueEnd, "chunked")) {
                    throw new Http1ResponseException("unsupported Transfer-Encoding");
                }
                chunked = true;
            } else if (nameLength == 10 && nameIs(bytes, nameStart, "connection")) {
                // The common values skip the general split: most upstreams send one of the two.
                String[] more = valueIs(bytes, valueStart, valueEnd, "keep-alive") ? KEEP_ALIVE_TOKENS
                        : valueIs(bytes, valueStart, valueEnd, "close") ? CLOSE_TOKENS
                        : ForwardedHeaders.tokens(new String(bytes, valueStart, valueEnd - valueStart,
                                StandardCharsets.ISO_8859_1));
                for (String token : more) {
                    close |= token.equals("close");
                    keepAliveToken |= token.equals("keep-alive");
                }
                tokens = tokens == null ? more : concat(tokens, more);
            }
            p = next;
        }
        if (chunked && (contentLength >= 0 || http10)) {
            throw new Http1ResponseException(http10 ? "Transfer-Encoding in an HTTP/1.0 response"
                    : "both Content-Length and Transfer-Encoding");
        }
        boolean keepAlive = http10 ? keepAliveToken && !close : !close;
        return new Http1ResponseHead(bytes, status, http10, reasonStart, statusEnd, fields, count, contentLength,
                chunked, keepAlive, tokens);
    }

    /** Returns the end of a line's content: before its LF and an optional CR. Fails on a bare CR inside it. */
    /** Returns the error for a field line that failed the one-pass scan, as the line-wise checks name it. */
    private static Http1ResponseException fieldLineError(byte[] bytes, int start, int end) {
        int lf = indexOf(bytes, start, end, (byte) '\n');
        int contentEnd = contentEnd(bytes, start, lf); // throws for an incomplete line or a bare CR
        field(bytes, start, contentEnd); // throws for obsolete folding, the name, a control character
        return new Http1ResponseException("invalid field line");
    }

    private static int indexOf(byte[] bytes, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static int contentEnd(byte[] bytes, int start, int lf) {
        if (lf < 0) {
            throw new Http1ResponseException("incomplete head");
        }
        int end = lf > start && bytes[lf - 1] == '\r' ? lf - 1 : lf;
        if (indexOf(bytes, start, end, (byte) '\r') >= 0) {
            throw new Http1ResponseException("bare CR in the head");
        }
        return end;
    }

    /**
     * Validates a field line {@code [start, end)} (without its line ending) and returns name start, name end, value
     * start and value end, the value without surrounding whitespace.
     */
    static int[] field(ByteBuf line, int start, int end) {
        byte[] copy = new byte[end - start];
        line.getBytes(start, copy);
        int[] field = field(copy, 0, copy.length);
        for (int i = 0; i < field.length; i++) {
            field[i] += start;
        }
        return field;
    }

    static int[] field(byte[] bytes, int start, int end) {
        byte first = bytes[start];
        if (first == ' ' || first == '\t') {
            throw new Http1ResponseException("obsolete line folding");
        }
        int colon = start;
        while (colon < end && TOKEN[bytes[colon] & 0xFF]) {
            colon++;
        }
        if (colon == start || colon == end || bytes[colon] != ':') {
            throw new Http1ResponseException("invalid field name");
        }
        int valueStart = colon + 1;
        int valueEnd = end;
        while (valueStart < valueEnd && isWhitespace(bytes[valueStart])) {
            valueStart++;
        }
        while (valueEnd > valueStart && isWhitespace(bytes[valueEnd - 1])) {
            valueEnd--;
        }
        for (int i = valueStart; i < valueEnd; i++) {
            if (!FIELD_VALUE[bytes[i] & 0xFF]) {
                throw new Http1ResponseException("control character in a field value");
            }
        }
        return new int[] {start, colon, valueStart, valueEnd};
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t';
    }

    private static long contentLength(byte[] bytes, int start, int end) {
        if (start == end || end - start > 18) {
            throw new Http1ResponseException("invalid Content-Length");
        }
        long value = 0;
        for (int i = start; i < end; i++) {
            byte b = bytes[i];
            if (b < '0' || b > '9') {
                throw new Http1ResponseException("invalid Content-Length");
            }
            value = value * 10 + (b - '0');
        }
        return value;
    }

    private static boolean startsWith(byte[] bytes, int start, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[start + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Compares {@code lower.length()} bytes at {@code start} with {@code lower}, ignoring ASCII case. */
    private static boolean nameIs(byte[] bytes, int start, String lower) {
        for (int i = 0; i < lower.length(); i++) {
            int c = bytes[start + i];
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean valueIs(byte[] bytes, int start, int end, String lower) {
        return end - start == lower.length() && nameIs(bytes, start, lower);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }

    int status() {
        return status;
    }

    boolean http10() {
        return http10;
    }

    /** Returns the body length the head announced, or -1. */
    long contentLength() {
        return contentLength;
    }

    boolean chunked() {
        return chunked;
    }

    /** Returns whether the connection may carry another request after this response. */
    boolean keepAlive() {
        return keepAlive;
    }

    /** Marks a response whose body ends when the connection closes. */
    void closeDelimited() {
        keepAlive = false;
    }

    int fieldCount() {
        return fieldCount;
    }

    /** Returns whether a field of this name is present, ignoring case. */
    boolean contains(String lowerCaseName) {
        for (int i = 0; i < fieldCount; i++) {
            int start = fields[i * 4];
            if (fields[i * 4 + 1] - start == lowerCaseName.length() && nameIs(bytes, start, lowerCaseName)) {
                return true;
            }
        }
        return false;
    }

    /** Returns the fields as a map (decoded once), without the hop-by-hop ones filtered: the caller does that. */
    MultiMap headers() {
        if (headers == null) {
            HeadersMultiMap map = HeadersMultiMap.httpHeaders();
            for (int i = 0; i < fieldCount; i++) {
                int at = i * 4;
                map.add(new AsciiString(bytes, fields[at], fields[at + 1] - fields[at], true),
                        new String(bytes, fields[at + 2], fields[at + 3] - fields[at + 2], StandardCharsets.ISO_8859_1));
            }
            headers = map;
        }
        return headers;
    }

    /**
     * Writes the head to forward to an HTTP/1.1 client: the status line as HTTP/1.1 with the upstream's reason
     * phrase, the end-to-end fields (hop-by-hop ones and those {@code Connection} names left out), {@code Via},
     * then {@code Transfer-Encoding: chunked} when the body goes out with chunked framing (the upstream's, or
     * added to a body read until the upstream closed), and
     * {@code Connection: close} when the client's connection ends after it. A 204 gets neither
     * {@code Content-Length} nor {@code Transfer-Encoding}, whatever the upstream wrote (RFC 9110 8.6, RFC 9112 6.1);
     * on a 304 or a HEAD answer they say what a GET's body would have been, and stay.
     */
    void writeForwarded(HeadWriter out, byte[] viaLine, boolean chunkedFraming, boolean close) {
        boolean noContent = status == 204;
        out.bytes(STATUS_PREFIX);
        out.ascii((char) ('0' + status / 100)).ascii((char) ('0' + status / 10 % 10)).ascii((char) ('0' + status % 10));
        if (reasonStart == reasonEnd) {
            out.ascii(' '); // the space before an empty reason phrase is not optional
        } else {
            out.bytes(bytes, reasonStart, reasonEnd - reasonStart);
        }
        out.crlf();
        ByteRegion name = new ByteRegion(bytes);
        boolean lengthWritten = false;
        for (int i = 0; i < fieldCount; i++) {
            int at = i * 4;
            name.set(fields[at], fields[at + 1]);
            boolean length = name.length() == 14 && nameIs(bytes, fields[at], "content-length");
            if (length) {
                // The framing the body is forwarded with: kept whatever Connection names, and written once.
                if (lengthWritten || noContent) {
                    continue;
                }
                lengthWritten = true;
            } else if (ForwardedHeaders.isHopByHop(name)
                    || connectionTokens != null && ForwardedHeaders.containsToken(connectionTokens, name)) {
                continue;
            }
            out.bytes(bytes, fields[at], fields[at + 1] - fields[at]);
            out.ascii(':').ascii(' ');
            out.bytes(bytes, fields[at + 2], fields[at + 3] - fields[at + 2]);
            out.crlf();
        }
        out.bytes(viaLine);
        if (chunkedFraming && !noContent) {
            out.bytes(CHUNKED_LINE);
        }
        if (close) {
            out.bytes(CLOSE_LINE);
        }
        out.crlf();
    }

    /** Returns the number of bytes the head occupies as received. */
    int size() {
        return bytes.length;
    }

    /** A field name inside the head's bytes, seen as characters without a copy. */
    private static final class ByteRegion implements CharSequence {
        private final byte[] bytes;
        private int start;
        private int end;

        ByteRegion(byte[] bytes) {
            this.bytes = bytes;
        }

        void set(int start, int end) {
            this.start = start;
            this.end = end;
        }

        @Override
        public int length() {
            return end - start;
        }

        @Override
        public char charAt(int index) {
            return (char) (bytes[start + index] & 0xFF);
        }

        @Override
        public CharSequence subSequence(int from, int to) {
            return new String(bytes, start + from, to - from, StandardCharsets.ISO_8859_1);
        }

        @Override
        public String toString() {
            return new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
        }
    }
}
