package dev.junction.plugin.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloads of an {@code http} listener whose definition is unchanged: its connections stay, its routes change. */
class HttpReloadTest {

    private static final String CONFIG = """
            listeners:
              web:
                protocol: http
                address: 127.0.0.1:${PORT_1}
                routes:
                  - name: greeting
                    action: {respond: {status: 200, body: "%s"}}
            """;

    @TempDir
    Path dir;

    @Test
    void aKeepAliveConnectionSurvivesAReloadAndSeesTheNewRoutes() throws Exception {
        try (TestGateway gateway = TestGateway.start(dir, CONFIG.formatted("before"));
                Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", gateway.port(1)), 5000);
            socket.setSoTimeout(5000);
            assertEquals("before", exchange(socket));

            gateway.reload(CONFIG.formatted("after"));

            // The same connection, not a new one: the listener kept its socket and swapped its routes.
            assertEquals("after", exchange(socket));
            assertEquals("after", exchange(socket));
        }
    }

    /** Sends a keep-alive GET on {@code socket} and returns the body of the answer. */
    private static String exchange(Socket socket) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write("GET / HTTP/1.1\r\nHost: example.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertTrue(b >= 0, "the connection was closed; head so far: " + head);
            head.append((char) b);
        }
        String lower = head.toString().toLowerCase(java.util.Locale.ROOT);
        assertTrue(lower.startsWith("http/1.1 200"), head.toString());
        int at = lower.indexOf("content-length:");
        int length = Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).trim());
        byte[] body = in.readNBytes(length);
        return new String(body, StandardCharsets.UTF_8);
    }
}
