package dev.junction.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * Base of the integration tests: each test gets its own copy of the packaged distribution ({@link #home}); after
 * the test, every backend is closed and every gateway stopped, and a Netty leak report in any output fails it.
 */
abstract class GatewayTest {
    protected JunctionHome home;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeEach
    void copyDistribution(TestInfo test) {
        home = JunctionHome.copyOfDistribution(
                getClass().getSimpleName() + "." + test.getTestMethod().map(m -> m.getName()).orElse("test"));
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
        home.close();
    }

    /** Starts a backend that is closed after the test. */
    protected TestBackend backend(String id, int port) {
        TestBackend backend = TestBackend.start(id, port);
        resources.add(backend);
        return backend;
    }

    /** Closes {@code resource} after the test (before the gateways are stopped). */
    protected <T extends AutoCloseable> T closeAfterTest(T resource) {
        resources.add(resource);
        return resource;
    }

    /**
     * Returns {@code text} with each key of {@code replacements} replaced by its value, failing if a key does not
     * occur (the shipped file changed in a way this test must follow).
     */
    static String replaceAll(String text, Map<String, String> replacements) {
        String result = text;
        for (Map.Entry<String, String> each : replacements.entrySet()) {
            assertThat(result).as("configuration text to rewrite").contains(each.getKey());
            result = result.replace(each.getKey(), each.getValue());
        }
        return result;
    }

    /** Ports of the shipped examples/tcp-proxy.yaml, rewritten to free ones. */
    record TcpProxyPorts(int listener, int backendA, int backendB, int admin) {
        static TcpProxyPorts free() {
            return new TcpProxyPorts(Ports.free(), Ports.free(), Ports.free(), Ports.free());
        }
    }

    /** The shipped examples/tcp-proxy.yaml with its ports moved to {@code ports}. */
    String tcpProxyExample(TcpProxyPorts ports) {
        Map<String, String> replacements = new LinkedHashMap<>();
        replacements.put("127.0.0.1:17000", "127.0.0.1:" + ports.listener());
        replacements.put("127.0.0.1:17001", "127.0.0.1:" + ports.backendA());
        replacements.put("127.0.0.1:17002", "127.0.0.1:" + ports.backendB());
        replacements.put("127.0.0.1:17901", "127.0.0.1:" + ports.admin());
        return replaceAll(home.read("examples/tcp-proxy.yaml"), replacements);
    }
}
