package dev.junction.example.echo;

import dev.junction.testkit.TestConfig;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.spi.ExecutionStyle;
import dev.junction.spi.Plugin;
import dev.junction.spi.PluginContext;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.BlockingStreamFilter;
import dev.junction.spi.filter.FilterFactory;
import dev.junction.spi.route.ActionFactory;
import dev.junction.spi.route.StreamAction;
import dev.junction.spi.route.StreamSession;
import dev.junction.spi.stream.DuplexStream;
import dev.junction.spi.stream.DuplexStreams;
import dev.junction.spi.task.TaskRuntime;
import dev.junction.spi.task.TaskScope;
import dev.junction.spi.upstream.Upstream;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.SocketAddress;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EchoPluginTest {

    private static Vertx vertx;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static Plugin plugin() {
        return ServiceLoader.load(Plugin.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("echo")).findFirst().orElseThrow();
    }

    private static StreamAction echo(Map<String, Object> config) {
        ActionFactory factory = plugin().actionFactories().get(0);
        ConfigNode node = TestConfig.at("listeners.tcp-in.routes[0].action.echo", config);
        return (StreamAction) factory.create(new ActionFactory.ActionContext() {
            @Override
            public ConfigNode config() {
                return node;
            }

            @Override
            public Upstream upstream(ConfigNode upstreamNode) {
                throw upstreamNode.error("echo uses no upstream");
            }
        });
    }

    /** A session over a real accepted socket; echo needs neither scope nor byte accounting. */
    private static StreamSession session(DuplexStream downstream) {
        return new StreamSession() {
            public String listenerName() {
                return "tcp-in";
            }

            public String routeName() {
                return "echo";
            }

            public DuplexStream downstream() {
                return downstream;
            }

            public TaskScope scope() {
                throw new UnsupportedOperationException("the echo action opens no tasks");
            }

            public void recordBytes(long fromClient, long toClient) {
            }
        };
    }

    @Test
    void echoWritesTheGreetingThenEchoesUntilTheClientHalfCloses() throws Exception {
        StreamAction action = echo(TestConfig.map("greeting", "hello from example.test\n"));
        List<Future<Void>> done = new CopyOnWriteArrayList<>();
        NetServer server = vertx.createNetServer().connectHandler(socket -> {
            DuplexStream downstream = DuplexStreams.of(socket);
            downstream.pause();
            done.add(action.handle(session(downstream)));
        });
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        byte[] payload = new byte[2 * 1024 * 1024];
        java.util.Arrays.fill(payload, (byte) 'e');
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress("127.0.0.1", server.actualPort()), 5000);
            client.setSoTimeout(5000);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    client.getOutputStream().write(payload);
                    client.shutdownOutput();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            client.getInputStream().transferTo(received);
            writer.join();
        }

        String greeting = "hello from example.test\n";
        byte[] answer = received.toByteArray();
        assertThat(new String(answer, 0, greeting.length(), StandardCharsets.UTF_8)).isEqualTo(greeting);
        assertThat(answer).hasSize(greeting.length() + payload.length);
        assertThat(done).singleElement()
                .satisfies(f -> f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS));
        server.close();
    }

    @Test
    void echoRejectsUnknownOptions() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> echo(TestConfig.map("greting", "hi")))
                .hasMessageContaining("action.echo.greting: unknown key");
        assertThat(echo(TestConfig.map()).describe()).isEqualTo("echo");
    }

    @Test
    void logConnectionsIsABlockingFilterThatLogsTheClientAndProceeds() {
        FilterFactory factory = plugin().filterFactories().get(0);
        assertThat(factory.name()).isEqualTo("log-connections");
        assertThat(factory.style()).isEqualTo(ExecutionStyle.BLOCKING);
        RecordingLogger logger = new RecordingLogger();

        BlockingStreamFilter filter = (BlockingStreamFilter) factory.create(
                TestConfig.missing("listeners.tcp-in.routes[0].filters[0].log-connections"), context(vertx, logger));
        DuplexStream client = new AddressOnlyStream(SocketAddress.inetSocketAddress(40000, "127.0.0.1"));

        assertThat(filter.onConnection(session(client)).proceeds()).isTrue();
        assertThat(logger.lines).singleElement().asString()
                .contains("127.0.0.1:40000").contains("tcp-in").contains("echo");
    }

    /** A plugin context whose logger is {@code logger}; the filters use nothing else of it. */
    static PluginContext context(Vertx vertx, System.Logger logger) {
        return new PluginContext() {
            public String pluginName() {
                return "echo";
            }

            public Vertx vertx() {
                return vertx;
            }

            public int eventLoops() {
                return 1;
            }

            public MeterRegistry meterRegistry() {
                return new SimpleMeterRegistry();
            }

            public System.Logger logger() {
                return logger;
            }

            public TaskRuntime tasks() {
                throw new UnsupportedOperationException("the filters open no tasks");
            }

            public ClassLoader classLoader() {
                return EchoPlugin.class.getClassLoader();
            }
        };
    }

    /** A stream that only knows its peer's address: all the filter looks at. */
    private static final class AddressOnlyStream implements DuplexStream {
        private final SocketAddress remote;

        AddressOnlyStream(SocketAddress remote) {
            this.remote = remote;
        }

        public SocketAddress remoteAddress() {
            return remote;
        }

        public SocketAddress localAddress() {
            return SocketAddress.inetSocketAddress(7000, "127.0.0.1");
        }

        private static <T> T unused() {
            throw new UnsupportedOperationException("not used by the filter");
        }

        public Future<Void> end() {
            return unused();
        }

        public Future<Void> close() {
            return unused();
        }

        public Future<Void> whenClosed() {
            return unused();
        }

        public DuplexStream exceptionHandler(io.vertx.core.Handler<Throwable> handler) {
            return unused();
        }

        public DuplexStream handler(io.vertx.core.Handler<io.vertx.core.buffer.Buffer> handler) {
            return unused();
        }

        public DuplexStream pause() {
            return unused();
        }

        public DuplexStream resume() {
            return unused();
        }

        public DuplexStream fetch(long amount) {
            return unused();
        }

        public DuplexStream endHandler(io.vertx.core.Handler<Void> handler) {
            return unused();
        }

        public DuplexStream setWriteQueueMaxSize(int maxSize) {
            return unused();
        }

        public DuplexStream drainHandler(io.vertx.core.Handler<Void> handler) {
            return unused();
        }

        public Future<Void> write(io.vertx.core.buffer.Buffer data) {
            return unused();
        }

        public boolean writeQueueFull() {
            return unused();
        }
    }

}
