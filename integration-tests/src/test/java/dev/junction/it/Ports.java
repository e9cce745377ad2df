package dev.junction.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hands out free loopback ports, never the same one twice in a test JVM.
 *
 * <p>Ports come from 20000-32767, below Linux's ephemeral range (32768-60999): a port the kernel hands to some
 * other program's outgoing connection or {@code bind(0)} between our check and the gateway's bind would make a
 * test flaky, and another gateway or benchmark on this machine would steal traffic.
 */
final class Ports {
    private static final int FIRST = 20_000;
    private static final int LAST = 32_767;
    private static final Set<Integer> GIVEN = new HashSet<>();

    private Ports() {}

    /** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
    static synchronized int free() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(FIRST, LAST + 1);
            if (GIVEN.contains(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                GIVEN.add(port);
                return port;
            } catch (IOException e) {
                // taken: try another
            }
        }
        throw new IllegalStateException("no free loopback port in " + FIRST + "-" + LAST + " after 200 attempts");
    }
}
