package dev.junction.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The shipped examples/udp-proxy.yaml with two datagram backends that answer with their name. */
class UdpProxyIT extends GatewayTest {

    /** A datagram backend on its own thread, answering {@code id:} followed by what it received. */
    private AutoCloseable datagramBackend(String id, int port) throws Exception {
        DatagramSocket socket = new DatagramSocket(port, InetAddress.getLoopbackAddress());
        Thread thread = Thread.ofPlatform().daemon().name("udp-backend-" + id).start(() -> {
            byte[] buffer = new byte[2048];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    socket.receive(packet);
                    byte[] answer = (id + ":" + new String(packet.getData(), 0, packet.getLength(),
                            StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                    socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
                } catch (java.io.IOException e) {
                    return; // closed
                }
            }
        });
        return closeAfterTest(() -> {
            socket.close();
            thread.join(5_000);
        });
    }

    @Test
    void udpFlowsAreBalancedAndEachClientKeepsItsEndpoint() throws Exception {
        int listener = Ports.free();
        int backendA = Ports.free();
        int backendB = Ports.free();
        int admin = Ports.free();
        datagramBackend("a", backendA);
        datagramBackend("b", backendB);
        Map<String, String> ports = new LinkedHashMap<>();
        ports.put("127.0.0.1:17053", "127.0.0.1:" + listener);
        ports.put("127.0.0.1:17054", "127.0.0.1:" + backendA);
        ports.put("127.0.0.1:17055", "127.0.0.1:" + backendB);
        ports.put("127.0.0.1:17901", "127.0.0.1:" + admin);
        Path config = home.writeConfig("udp-proxy.yaml", replaceAll(home.read("examples/udp-proxy.yaml"), ports));
        JunctionProcess gateway = home.start(config, admin);

        Set<String> seen = new HashSet<>();
        for (int client = 0; client < 4; client++) {
            try (DatagramSocket socket = new DatagramSocket()) {
                socket.setSoTimeout(5_000);
                String first = exchange(socket, listener, "query " + client);
                String id = first.substring(0, first.indexOf(':'));
                assertThat(first).isEqualTo(id + ":query " + client);
                for (int i = 0; i < 3; i++) {
                    assertThat(exchange(socket, listener, "again " + i)).isEqualTo(id + ":again " + i);
                }
                seen.add(id);
            }
        }
        assertThat(seen).containsExactlyInAnyOrder("a", "b");
        assertThat(gateway.getOk("/metrics")).contains("junction_udp_sessions_total{listener=\"udp-in\"} 4.0");
    }

    private static String exchange(DatagramSocket socket, int port, String text) throws Exception {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), port));
        DatagramPacket answer = new DatagramPacket(new byte[2048], 2048);
        socket.receive(answer);
        return new String(answer.getData(), 0, answer.getLength(), StandardCharsets.UTF_8);
    }
}
