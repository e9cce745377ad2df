package dev.junction.plugin.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vertx.core.MultiMap;
import io.vertx.core.http.impl.headers.HeadersMultiMap;

/**
 * Reads the HTTP/1.x responses an upstream sends on one connection, byte by byte as they arrive, strictly: one
 * status line and field lines without obsolete folding or control characters, a single framing (a lone
 * {@code chunked} transfer coding, or one {@code Content-Length}, or until the connection closes), well-formed
 * chunks. Anything else fails the response, so the proxy answers 502 rather than forward something the client
 * may frame differently. Informational responses (1xx other than 101) are read and dropped.
 *
 * <p>The body goes to the {@link Sink} as slices of the bytes read, without copies: in {@link Mode#RAW} exactly
 * as received, framing included (chunk sizes, extensions, trailers), for a client that gets the same framing; in
 * {@link Mode#DECODED} only the data, with the trailers collected into a map.
 *
 * <p>Confined to the connection's event loop. Not reusable across connections.
 */
final class Http1ResponseReader {

    /** What the body events carry. */
    enum Mode { RAW, DECODED }

    /** Receives one response. */
    interface Sink {
        /** The final response head. */
        void head(Http1ResponseHead head);

        /** Body bytes: a retained slice the sink must release. */
        void content(ByteBuf bytes);

        /** The response is complete; {@code trailers} is empty in {@link Mode#RAW} (they went out as content). */
        void end(MultiMap trailers);
    }

    private static final int HEAD = 0;
    private static final int FIXED = 1;
    private static final int CHUNK_SIZE = 2;
    private static final int CHUNK_DATA = 3;
    private static final int CHUNK_DATA_END = 4;
    private static final int TRAILER = 5;
    private static final int UNTIL_CLOSE = 6;
    private static final int DONE = 7;
    private static final int IDLE = 8;

    private static final int MAX_CHUNK_LINE = 4096;

    private final int maxHeadSize;
    private final ByteBufAllocator allocator;
    private int state = IDLE;
    private Mode mode = Mode.RAW;
    private boolean headRequest;
    private Sink sink;
    private Http1ResponseHead head;
    /** The head (or chunk-size or trailer line) gathered so far, when it spans reads. */
    private ByteBuf pending;
    private long remaining;
    private MultiMap trailers;
    /** Body bytes of the current response, without the chunked framing. */
    private long bodyBytes;
    /** Bytes of trailer fields read so far, held to the head's limit. */
    private int trailerBytes;

    Http1ResponseReader(ByteBufAllocator allocator, int maxHeadSize) {
        this.allocator = allocator;
        this.maxHeadSize = maxHeadSize;
    }

    /** Expects the response to a request just sent; {@code headRequest} when it was a HEAD (no body follows). */
    void expect(Mode mode, boolean headRequest, Sink sink) {
        if (state != IDLE && state != DONE) {
            throw new IllegalStateException("a response is still being read");
        }
        releaseHead();
        this.mode = mode;
        this.headRequest = headRequest;
        this.sink = sink;
        this.state = HEAD;
        this.trailers = null;
        this.trailerBytes = 0;
        this.bodyBytes = 0;
    }

    /** Returns the body bytes of the current (or last) response, without the chunked framing. */
    long bodyBytes() {
        return bodyBytes;
    }

    /** Returns whether the last response ended and no byte arrived after it. */
    boolean idle() {
        return state == IDLE || state == DONE;
    }

    /** Returns the current head, or null before it arrived. */
    Http1ResponseHead head() {
        return head;
    }

    /**
     * Reads what arrived. Does not take ownership of {@code in}. Bytes after a complete response, with no
     * response expected, fail with {@link Http1ResponseException}: an upstream that talks out of turn.
     */
    void read(ByteBuf in) {
        while (in.isReadable()) {
            switch (state) {
                case HEAD -> readHead(in);
                case FIXED -> readFixed(in);
                case CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILER -> readChunked(in);
                case UNTIL_CLOSE -> {
                    bodyBytes += in.readableBytes();
                    sink.content(in.readRetainedSlice(in.readableBytes()));
                }
                default -> throw new Http1ResponseException("bytes after the end of the response");
            }
        }
    }

    /** Tells the reader the connection closed: ends a response read until the close, fails one cut short. */
    void closed() {
        if (state == UNTIL_CLOSE) {
            finish();
            return;
        }
        releasePending();
        if (state != IDLE && state != DONE) {
            state = DONE;
            throw new Http1ResponseException(head == null ? "closed before the response head"
                    : "closed mid-response");
        }
    }

    /** Frees what the reader holds; the connection is gone. */
    void release() {
        releasePending();
        releaseHead();
        state = DONE;
    }

    private void releasePending() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    private void releaseHead() {
        head = null;
    }

    // The head

    private void readHead(ByteBuf in) {
        int end = Http1ResponseHead.endOfHead(pending, in);
        if (end < 0) {
            int have = (pending == null ? 0 : pending.readableBytes()) + in.readableBytes();
            if (have > maxHeadSize) {
                throw new Http1ResponseException("response head larger than " + maxHeadSize + " bytes");
            }
            if (pending == null) {
                pending = allocator.buffer(Math.max(256, in.readableBytes()));
            }
            pending.writeBytes(in);
            return;
        }
        int take = end - in.readerIndex();
        int held = pending == null ? 0 : pending.readableBytes();
        if (held + take > maxHeadSize) {
            throw new Http1ResponseException("response head larger than " + maxHeadSize + " bytes");
        }
        byte[] bytes = new byte[held + take];
        if (pending != null) {
            pending.readBytes(bytes, 0, held);
            releasePending();
        }
        in.readBytes(bytes, held, take);
        Http1ResponseHead parsed = Http1ResponseHead.parse(bytes);
        int status = parsed.status();
        if (status < 200) {
            if (status == 101) {
                throw new Http1ResponseException("upstream switched protocols on a plain request");
            }
            return; // 100 Continue, 103 Early Hints: the final answer follows
        }
        head = parsed;
        boolean noBody = headRequest || status == 204 || status == 304;
        if (noBody) {
            sink.head(parsed);
            finish();
        } else if (parsed.chunked()) {
            state = CHUNK_SIZE;
            sink.head(parsed);
        } else if (parsed.contentLength() >= 0) {
            remaining = parsed.contentLength();
            state = FIXED;
            sink.head(parsed);
            if (remaining == 0) {
                finish();
            }
        } else {
            parsed.closeDelimited();
            state = UNTIL_CLOSE;
            sink.head(parsed);
        }
    }

    private void readFixed(ByteBuf in) {
        int n = (int) Math.min(remaining, in.readableBytes());
        remaining -= n;
        bodyBytes += n;
        sink.content(in.readRetainedSlice(n));
        if (remaining == 0) {
            finish();
        }
    }

    // Chunked bodies

    private void readChunked(ByteBuf in) {
        int rawStart = in.readerIndex();
        while (in.isReadable() && state != DONE) {
            switch (state) {
                case CHUNK_SIZE -> {
                    ByteBuf line = line(in);
                    if (line == null) {
                        break;
                    }
                    remaining = chunkSize(line);
                    releasePending();
                    state = remaining == 0 ? TRAILER : CHUNK_DATA;
                }
                case CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, in.readableBytes());
                    bodyBytes += n;
                    if (mode == Mode.DECODED) {
                        sink.content(in.readRetainedSlice(n));
                    } else {
                        in.skipBytes(n);
                    }
                    remaining -= n;
                    if (remaining == 0) {
                        state = CHUNK_DATA_END;
                    }
                }
                case CHUNK_DATA_END -> {
                    ByteBuf line = line(in);
                    if (line == null) {
                        break;
                    }
                    boolean empty = !line.isReadable();
                    releasePending();
                    if (!empty) {
                        throw new Http1ResponseException("chunk data longer than its size");
                    }
                    state = CHUNK_SIZE;
                }
                case TRAILER -> {
                    ByteBuf line = line(in);
                    if (line == null) {
                        break;
                    }
                    boolean last = !line.isReadable();
                    if (!last) {
                        trailer(line);
                    }
                    releasePending();
                    if (last) {
                        if (mode == Mode.RAW) {
                            emitRaw(in, rawStart);
                        }
                        finish();
                        return;
                    }
                }
                default -> throw new IllegalStateException("state " + state);
            }
            if (mode == Mode.DECODED) {
                rawStart = in.readerIndex();
            }
        }
        if (mode == Mode.RAW) {
            emitRaw(in, rawStart);
        }
    }

    private void emitRaw(ByteBuf in, int rawStart) {
        int n = in.readerIndex() - rawStart;
        if (n > 0) {
            sink.content(in.retainedSlice(rawStart, n));
        }
    }

    /**
     * Returns the next line without its CRLF (or LF) once it is complete, else keeps what arrived and returns null.
     * The returned buffer is {@link #pending} or a slice of {@code in}; release it with {@link #releasePending}.
     */
    private ByteBuf line(ByteBuf in) {
        int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        int have = pending == null ? 0 : pending.readableBytes();
        if (lf < 0) {
            if (have + in.readableBytes() > MAX_CHUNK_LINE) {
                throw new Http1ResponseException("chunk line longer than " + MAX_CHUNK_LINE + " bytes");
            }
            if (pending == null) {
                pending = allocator.buffer(64);
            }
            pending.writeBytes(in);
            return null;
        }
        int length = lf - in.readerIndex();
        if (have + length > MAX_CHUNK_LINE) {
            throw new Http1ResponseException("chunk line longer than " + MAX_CHUNK_LINE + " bytes");
        }
        ByteBuf line;
        if (pending == null) {
            line = in.slice(in.readerIndex(), length);
        } else {
            pending.writeBytes(in, in.readerIndex(), length);
            line = pending;
        }
        in.readerIndex(lf + 1);
        int last = line.writerIndex() - 1;
        if (line.isReadable() && line.getByte(last) == '\r') {
            line.writerIndex(last);
        }
        if (line.indexOf(line.readerIndex(), line.writerIndex(), (byte) '\r') >= 0) {
            throw new Http1ResponseException("bare CR in a chunk line");
        }
        return line;
    }

    private static long chunkSize(ByteBuf line) {
        long size = 0;
        int digits = 0;
        int i = line.readerIndex();
        int end = line.writerIndex();
        for (; i < end; i++) {
            int value = Http1RequestGuardScanner.hexDigit(line.getByte(i));
            if (value < 0) {
                break;
            }
            if (++digits > 15) {
                throw new Http1ResponseException("chunk size too large");
            }
            size = size << 4 | value;
        }
        if (digits == 0) {
            throw new Http1ResponseException("invalid chunk size");
        }
        for (; i < end; i++) {
            byte b = line.getByte(i);
            if (b == ';') {
                break; // a chunk extension: passed on as it is in RAW mode, ignored otherwise
            }
            if (b != ' ' && b != '\t') {
                throw new Http1ResponseException("invalid chunk size");
            }
        }
        for (; i < end; i++) {
            int b = line.getByte(i) & 0xFF;
            if (b < 0x20 && b != '\t' || b == 0x7F) {
                throw new Http1ResponseException("control character in a chunk extension");
            }
        }
        return size;
    }

    private void trailer(ByteBuf line) {
        trailerBytes += line.readableBytes() + 2;
        if (trailerBytes > maxHeadSize) {
            throw new Http1ResponseException("trailer fields larger than " + maxHeadSize + " bytes");
        }
        int[] field = Http1ResponseHead.field(line, line.readerIndex(), line.writerIndex());
        if (mode == Mode.DECODED) {
            if (trailers == null) {
                trailers = HeadersMultiMap.httpHeaders();
            }
            trailers.add(line.toString(field[0], field[1] - field[0], java.nio.charset.StandardCharsets.US_ASCII),
                    line.toString(field[2], field[3] - field[2], java.nio.charset.StandardCharsets.ISO_8859_1));
        }
    }

    private void finish() {
        state = DONE;
        MultiMap collected = trailers == null ? HeadersMultiMap.httpHeaders() : trailers;
        trailers = null;
        Sink current = sink;
        sink = null;
        current.end(collected);
        releaseHead();
    }
}
