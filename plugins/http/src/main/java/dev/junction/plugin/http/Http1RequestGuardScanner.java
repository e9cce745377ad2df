package dev.junction.plugin.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import java.nio.charset.StandardCharsets;

/**
 * Reads the bytes of an HTTP/1.x request stream ahead of Netty's decoder and finds what HTTP/1.1 parsers may read
 * differently (RFC 9112): framing headers that disagree or are repeated, transfer codings other than a lone
 * {@code chunked}, obsolete line folding, bare CR or LF, invalid field names and values, malformed request lines and
 * chunk framing, a missing or repeated {@code Host}, and more header fields than allowed.
 *
 * <p>It follows the message framing itself ({@code Content-Length} bodies and chunks are skipped by count, never
 * looked at), so it knows where each pipelined request starts, and keeps no copy of the stream: positions are
 * absolute stream offsets, mapped onto the decoder's cumulation buffer on each call. Only complete lines are
 * examined, and a line is searched for its LF once, so a head dribbled one byte per segment costs no more than one
 * arriving whole. The first problem found ends the scan; {@link Http1RequestGuardDecoder} answers it when Netty's
 * decoder reaches the message that holds it. Not thread-safe: one per connection, on its event loop.
 */
final class Http1RequestGuardScanner {

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte SP = ' ';
    private static final byte HTAB = '\t';

    private static final int MESSAGE_START = 0;
    private static final int REQUEST_LINE = 1;
    private static final int FIELD_LINE = 2;
    private static final int FIXED_BODY = 3;
    private static final int CHUNK_SIZE_LINE = 4;
    private static final int CHUNK_DATA = 5;
    private static final int CHUNK_DATA_CR = 6;
    private static final int CHUNK_DATA_LF = 7;
    private static final int TRAILER_LINE = 8;
    private static final int STOPPED = 9;

    /** Content-Length values up to 18 digits cannot overflow a long. */
    private static final int MAX_CONTENT_LENGTH_DIGITS = 18;
    /** Netty's decoder reads chunk sizes into an int: larger ones are refused before it could misread them. */
    private static final long MAX_CHUNK_SIZE = Integer.MAX_VALUE;

    private static final byte[] CONTENT_LENGTH = bytes("content-length");
    private static final byte[] TRANSFER_ENCODING = bytes("transfer-encoding");
    private static final byte[] HOST = bytes("host");
    private static final byte[] CHUNKED = bytes("chunked");
    private static final byte[] CONNECT = bytes("CONNECT");
    private static final byte[] OPTIONS = bytes("OPTIONS");
    private static final byte[] HTTP_SCHEME = bytes("http://");
    private static final byte[] HTTPS_SCHEME = bytes("https://");
    private static final byte[] HTTP_VERSION_PREFIX = bytes("HTTP/");

    /** RFC 9110 5.6.2 tchar. */
    private static final boolean[] TOKEN = new boolean[256];
    /** RFC 9110 5.5 field-vchar, SP and HTAB: what a field value may hold (obs-text included). */
    private static final boolean[] FIELD_VALUE = new boolean[256];
    /** RFC 3986 reg-name, IP-literal and port characters: what {@code Host} and an authority may hold. */
    private static final boolean[] AUTHORITY = new boolean[256];
    /** Visible US-ASCII: what a request target may hold. */
    private static final boolean[] TARGET = new boolean[256];
    private static final byte[] LOWER = new byte[256];

    static {
        for (int c = 0; c < 256; c++) {
            boolean alphaNumeric = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
            TOKEN[c] = alphaNumeric || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            FIELD_VALUE[c] = c == SP || c == HTAB || c >= 0x21 && c != 0x7F;
            AUTHORITY[c] = alphaNumeric || "-._~!$&'()*+,;=%:[]".indexOf(c) >= 0;
            TARGET[c] = c >= 0x21 && c <= 0x7E;
            LOWER[c] = (byte) (c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
    }

    private final int maxHeaders;

    private int state = MESSAGE_START;
    /** Offset of the next byte to examine; everything before it has been taken into account. */
    private long scanned;
    /** Offset where the line being gathered starts (line states only). */
    private long lineStart;
    /** Body or chunk bytes still to skip. */
    private long remaining;
    private boolean carriageReturnSeen;

    // The message being scanned.
    private long messageStart;
    private long headEnd = Long.MAX_VALUE;
    private boolean http10;
    private int fieldLines;
    private int hostFields;
    private int contentLengthFields;
    private int transferEncodingFields;
    private long contentLength;
    /** The authority of an absolute-form target, which {@code Host} must repeat; null for other forms. */
    private byte[] targetAuthority;

    // The first problem found.
    private RuntimeException violation;
    private long violationMessageStart;
    private long violationHeadEnd;

    /** Returns whether the scan ended inside a request head: its line or fields have started, not ended. */
    boolean inHead() {
        return state == REQUEST_LINE || state == FIELD_LINE;
    }

    Http1RequestGuardScanner(int maxHeaders) {
        if (maxHeaders < 1) {
            throw new IllegalArgumentException("maxHeaders: " + maxHeaders + " (expected: >= 1)");
        }
        this.maxHeaders = maxHeaders;
    }

    /**
     * Examines the readable bytes of {@code in} not seen before. {@code readerOffset} is the stream offset of
     * {@code in.readerIndex()}; bytes before it were consumed by the decoder, which never consumes bytes this scanner
     * has not examined.
     */
    void scan(ByteBuf in, long readerOffset) {
        long end = readerOffset + in.readableBytes();
        long shift = in.readerIndex() - readerOffset;
        while (scanned < end && state != STOPPED) {
            switch (state) {
                case MESSAGE_START -> messageStart(in.getByte((int) (scanned + shift)));
                case FIXED_BODY -> {
                    long n = Math.min(remaining, end - scanned);
                    scanned += n;
                    remaining -= n;
                    if (remaining == 0) {
                        endMessage();
                    }
                }
                case CHUNK_DATA -> {
                    long n = Math.min(remaining, end - scanned);
                    scanned += n;
                    remaining -= n;
                    if (remaining == 0) {
                        state = CHUNK_DATA_CR;
                    }
                }
                case CHUNK_DATA_CR -> {
                    if (in.getByte((int) (scanned + shift)) != CR) {
                        stop(invalid("chunk data not followed by CRLF"));
                    } else {
                        scanned++;
                        state = CHUNK_DATA_LF;
                    }
                }
                case CHUNK_DATA_LF -> {
                    if (in.getByte((int) (scanned + shift)) != LF) {
                        stop(invalid("chunk data not followed by CRLF"));
                    } else {
                        scanned++;
                        lineStart = scanned;
                        state = CHUNK_SIZE_LINE;
                    }
                }
                default -> line(in, shift, end);
            }
        }
    }

    /** Returns the problem found, once the decoder has reached the message holding it; otherwise null. */
    RuntimeException violationReachedAt(long readerOffset) {
        return violation != null && readerOffset >= violationMessageStart ? violation : null;
    }

    /** Whether the decoder has already passed on the head of the message holding the problem found. */
    boolean violationHeadPassedAt(long readerOffset) {
        return readerOffset >= violationHeadEnd;
    }

    private void messageStart(byte b) {
        if (carriageReturnSeen) {
            if (b != LF) {
                stop(invalid("bare CR before the request line"));
                return;
            }
            carriageReturnSeen = false;
            scanned++;
            return;
        }
        if (b == CR) {
            // RFC 9112 2.2: empty lines before a request line are ignored.
            carriageReturnSeen = true;
            scanned++;
            return;
        }
        if (!TOKEN[b & 0xFF]) {
            stop(invalid("the request line does not start with a method"));
            return;
        }
        http10 = false;
        fieldLines = 0;
        hostFields = 0;
        contentLengthFields = 0;
        transferEncodingFields = 0;
        contentLength = 0;
        targetAuthority = null;
        lineStart = scanned;
        state = REQUEST_LINE;
    }

    private void line(ByteBuf in, long shift, long end) {
        int lf = in.indexOf((int) (scanned + shift), (int) (end + shift), LF);
        if (lf < 0) {
            scanned = end;
            return;
        }
        long lfOffset = lf - shift;
        scanned = lfOffset + 1;
        if (lfOffset == lineStart || in.getByte(lf - 1) != CR) {
            stop(invalid("bare LF as a line terminator"));
            return;
        }
        int start = (int) (lineStart + shift);
        int contentEnd = lf - 1;
        lineStart = scanned;
        switch (state) {
            case REQUEST_LINE -> requestLine(in, start, contentEnd);
            case FIELD_LINE -> {
                if (start == contentEnd) {
                    endHead();
                } else if (++fieldLines > maxHeaders) {
                    stop(new TooLongHttpHeaderException("http: more than " + maxHeaders + " header fields"));
                } else {
                    fieldLine(in, start, contentEnd, true);
                }
            }
            case CHUNK_SIZE_LINE -> chunkSizeLine(in, start, contentEnd);
            case TRAILER_LINE -> {
                if (start == contentEnd) {
                    endMessage();
                } else if (++fieldLines > maxHeaders) {
                    stop(new TooLongHttpHeaderException("http: more than " + maxHeaders + " trailer fields"));
                } else {
                    fieldLine(in, start, contentEnd, false);
                }
            }
            default -> throw new IllegalStateException("state " + state);
        }
    }

    /** {@code method SP request-target SP HTTP-version}, RFC 9112 3, with exactly one SP between the parts. */
    private void requestLine(ByteBuf in, int start, int end) {
        int p = start;
        while (p < end && TOKEN[in.getByte(p) & 0xFF]) {
            p++;
        }
        int methodEnd = p;
        if (p == end || in.getByte(p) != SP) {
            stop(invalid("malformed request line"));
            return;
        }
        int targetStart = ++p;
        while (p < end && TARGET[in.getByte(p) & 0xFF]) {
            p++;
        }
        int targetEnd = p;
        if (targetEnd == targetStart || p == end || in.getByte(p) != SP) {
            stop(invalid("malformed request line"));
            return;
        }
        p++;
        if (end - p != 8 || !regionEquals(in, p, HTTP_VERSION_PREFIX, false)
                || !isDigit(in.getByte(p + 5)) || in.getByte(p + 6) != '.' || !isDigit(in.getByte(p + 7))) {
            stop(invalid("malformed HTTP version"));
            return;
        }
        int major = in.getByte(p + 5) - '0';
        int minor = in.getByte(p + 7) - '0';
        http10 = major == 0 || major == 1 && minor == 0;

        boolean connect = methodEnd - start == CONNECT.length && regionEquals(in, start, CONNECT, false);
        byte first = in.getByte(targetStart);
        if (connect) {
            // RFC 9112 3.2.3: CONNECT takes the authority-form (host:port) and nothing else.
            if (!allMatch(in, targetStart, targetEnd, AUTHORITY) || in.indexOf(targetStart, targetEnd, (byte) ':') < 0) {
                stop(invalid("CONNECT without an authority-form target"));
                return;
            }
        } else if (first == '/') {
            // origin-form: the common case.
        } else if (first == '*') {
            // RFC 9112 3.2.4: the asterisk-form is only for a server-wide OPTIONS.
            if (targetEnd - targetStart != 1
                    || methodEnd - start != OPTIONS.length || !regionEquals(in, start, OPTIONS, false)) {
                stop(invalid("asterisk-form target outside OPTIONS"));
                return;
            }
        } else {
            absoluteForm(in, targetStart, targetEnd);
            return;
        }
        state = FIELD_LINE;
    }

    /** RFC 9112 3.2.2: only http and https, with an authority that {@code Host} must then repeat. */
    private void absoluteForm(ByteBuf in, int start, int end) {
        int authorityStart;
        if (end - start > HTTP_SCHEME.length && regionEquals(in, start, HTTP_SCHEME, true)) {
            authorityStart = start + HTTP_SCHEME.length;
        } else if (end - start > HTTPS_SCHEME.length && regionEquals(in, start, HTTPS_SCHEME, true)) {
            authorityStart = start + HTTPS_SCHEME.length;
        } else {
            stop(invalid("request target is neither origin-form nor an http(s) absolute-form"));
            return;
        }
        int authorityEnd = authorityStart;
        while (authorityEnd < end) {
            byte b = in.getByte(authorityEnd);
            if (b == '/' || b == '?' || b == '#') {
                break;
            }
            authorityEnd++;
        }
        if (authorityEnd == authorityStart || !allMatch(in, authorityStart, authorityEnd, AUTHORITY)) {
            stop(invalid("absolute-form target with an invalid authority"));
            return;
        }
        byte[] authority = new byte[authorityEnd - authorityStart];
        for (int i = 0; i < authority.length; i++) {
            authority[i] = LOWER[in.getByte(authorityStart + i) & 0xFF];
        }
        targetAuthority = authority;
        state = FIELD_LINE;
    }

    /** {@code field-name ":" OWS field-value OWS}, RFC 9112 5. */
    private void fieldLine(ByteBuf in, int start, int end, boolean head) {
        byte first = in.getByte(start);
        if (first == SP || first == HTAB) {
            stop(invalid("obsolete line folding"));
            return;
        }
        int colon = start;
        while (colon < end && TOKEN[in.getByte(colon) & 0xFF]) {
            colon++;
        }
        if (colon == start || colon == end || in.getByte(colon) != ':') {
            // Covers whitespace before the colon, which RFC 9112 5.1 requires to be answered with 400.
            stop(invalid("invalid header field name"));
            return;
        }
        int valueStart = colon + 1;
        int valueEnd = end;
        while (valueStart < valueEnd && isWhitespace(in.getByte(valueStart))) {
            valueStart++;
        }
        while (valueEnd > valueStart && isWhitespace(in.getByte(valueEnd - 1))) {
            valueEnd--;
        }
        if (!allMatch(in, valueStart, valueEnd, FIELD_VALUE)) {
            stop(invalid("invalid character in a header field value"));
            return;
        }
        if (head) {
            int nameLength = colon - start;
            if (nameLength == HOST.length && regionEquals(in, start, HOST, true)) {
                host(in, valueStart, valueEnd);
            } else if (nameLength == CONTENT_LENGTH.length && regionEquals(in, start, CONTENT_LENGTH, true)) {
                contentLength(in, valueStart, valueEnd);
            } else if (nameLength == TRANSFER_ENCODING.length && regionEquals(in, start, TRANSFER_ENCODING, true)) {
                transferEncoding(in, valueStart, valueEnd);
            }
        }
    }

    private void host(ByteBuf in, int start, int end) {
        if (++hostFields > 1) {
            stop(invalid("more than one Host header field"));
        } else if (!allMatch(in, start, end, AUTHORITY)) {
            stop(invalid("invalid Host header field"));
        } else if (targetAuthority != null
                && (end - start != targetAuthority.length || !regionEquals(in, start, targetAuthority, true))) {
            stop(invalid("Host differs from the authority of the absolute-form target"));
        }
    }

    private void contentLength(ByteBuf in, int start, int end) {
        if (++contentLengthFields > 1) {
            stop(invalid("more than one Content-Length header field"));
            return;
        }
        if (start == end || end - start > MAX_CONTENT_LENGTH_DIGITS) {
            stop(invalid("invalid Content-Length"));
            return;
        }
        long value = 0;
        for (int p = start; p < end; p++) {
            byte b = in.getByte(p);
            if (!isDigit(b)) {
                stop(invalid("invalid Content-Length"));
                return;
            }
            value = value * 10 + (b - '0');
        }
        contentLength = value;
    }

    private void transferEncoding(ByteBuf in, int start, int end) {
        if (++transferEncodingFields > 1) {
            stop(invalid("more than one Transfer-Encoding header field"));
        } else if (end - start != CHUNKED.length || !regionEquals(in, start, CHUNKED, true)) {
            stop(invalid("Transfer-Encoding other than chunked"));
        }
    }

    private void endHead() {
        if (!http10 && hostFields == 0) {
            stop(invalid("HTTP/1.1 request without Host"));
            return;
        }
        if (transferEncodingFields > 0) {
            if (contentLengthFields > 0) {
                stop(invalid("both Content-Length and Transfer-Encoding"));
                return;
            }
            if (http10) {
                stop(invalid("Transfer-Encoding in an HTTP/1.0 request"));
                return;
            }
            headEnd = scanned;
            fieldLines = 0;
            state = CHUNK_SIZE_LINE;
        } else if (contentLength > 0) {
            headEnd = scanned;
            remaining = contentLength;
            state = FIXED_BODY;
        } else {
            headEnd = scanned;
            endMessage();
        }
    }

    /** {@code chunk-size [ chunk-ext ] CRLF}, RFC 9112 7.1; a size of zero starts the trailer section. */
    private void chunkSizeLine(ByteBuf in, int start, int end) {
        int p = start;
        long size = 0;
        while (p < end) {
            int digit = hexDigit(in.getByte(p));
            if (digit < 0) {
                break;
            }
            size = size * 16 + digit;
            if (size > MAX_CHUNK_SIZE) {
                stop(invalid("chunk size too large"));
                return;
            }
            p++;
        }
        if (p == start) {
            stop(invalid("invalid chunk size"));
            return;
        }
        if (p < end) {
            // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ): nothing else may follow the size.
            int q = p;
            while (q < end && isWhitespace(in.getByte(q))) {
                q++;
            }
            if (q == end || in.getByte(q) != ';' || !allMatch(in, q, end, FIELD_VALUE)) {
                stop(invalid("invalid chunk extension"));
                return;
            }
        }
        if (size == 0) {
            state = TRAILER_LINE;
        } else {
            remaining = size;
            state = CHUNK_DATA;
        }
    }

    private void endMessage() {
        state = MESSAGE_START;
        messageStart = scanned;
        headEnd = Long.MAX_VALUE;
    }

    private void stop(RuntimeException cause) {
        violation = cause;
        violationMessageStart = messageStart;
        violationHeadEnd = headEnd;
        state = STOPPED;
    }

    private static RuntimeException invalid(String message) {
        return new Http1RequestGuardException("http: " + message);
    }

    private static boolean allMatch(ByteBuf in, int start, int end, boolean[] allowed) {
        for (int p = start; p < end; p++) {
            if (!allowed[in.getByte(p) & 0xFF]) {
                return false;
            }
        }
        return true;
    }

    /** Compares {@code in} at {@code start} with {@code expected}, which is lower case when ignoring case. */
    private static boolean regionEquals(ByteBuf in, int start, byte[] expected, boolean ignoreCase) {
        for (int i = 0; i < expected.length; i++) {
            byte b = in.getByte(start + i);
            if ((ignoreCase ? LOWER[b & 0xFF] : b) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static boolean isWhitespace(byte b) {
        return b == SP || b == HTAB;
    }

    /** Returns the value of a hexadecimal digit, or -1. */
    static int hexDigit(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
