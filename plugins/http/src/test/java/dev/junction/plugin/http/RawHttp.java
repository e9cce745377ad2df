package dev.junction.plugin.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Raw HTTP/1.1 over a socket, for requests no client library would send as written. */
final class RawHttp {

    private RawHttp() {
    }

    /**
     * Sends {@code request} as written and returns everything the server sends until it closes the connection or
     * stays silent for 2 seconds after a complete response.
     */
    static String exchange(int port, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(2000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline) {
                int read;
                try {
                    read = in.read(buffer);
                } catch (SocketTimeoutException e) {
                    if (complete(out.toString(StandardCharsets.ISO_8859_1))) {
                        break;
                    }
                    continue;
                }
                if (read < 0) {
                    break;
                }
                out.write(buffer, 0, read);
                if (complete(out.toString(StandardCharsets.ISO_8859_1))) {
                    break;
                }
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** Returns whether {@code text} holds one whole response with a Content-Length body. */
    private static boolean complete(String text) {
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        String head = text.substring(0, end).toLowerCase(java.util.Locale.ROOT);
        int at = head.indexOf("\r\ncontent-length:");
        if (at < 0) {
            return false;
        }
        int lineEnd = head.indexOf("\r\n", at + 2);
        String value = head.substring(at + 17, lineEnd < 0 ? head.length() : lineEnd).trim();
        return text.length() - end - 4 >= Integer.parseInt(value);
    }
}
