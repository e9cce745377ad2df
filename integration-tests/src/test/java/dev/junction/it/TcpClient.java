package dev.junction.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A plain java.net.Socket client with bounded connects and reads. */
final class TcpClient implements AutoCloseable {
    static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private TcpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static TcpClient connect(int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            return new TcpClient(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    Socket socket() {
        return socket;
    }

    /** Reads up to and without the next newline; null if the peer closed first with nothing read. */
    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
            }
            if (b == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            line.write(b);
        }
    }

    /** Reads exactly {@code length} bytes (fails on EOF or after {@link #READ_TIMEOUT} of silence). */
    byte[] readExactly(int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new IOException("peer closed after " + bytes.length + " of " + length + " bytes: "
                    + new String(bytes, StandardCharsets.UTF_8));
        }
        return bytes;
    }

    void write(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Sends {@code text} and returns what comes back in as many bytes. */
    String echo(String text) throws IOException {
        write(text);
        return new String(readExactly(text.getBytes(StandardCharsets.UTF_8).length), StandardCharsets.UTF_8);
    }

    InputStream input() {
        return in;
    }

    OutputStream output() {
        return out;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
