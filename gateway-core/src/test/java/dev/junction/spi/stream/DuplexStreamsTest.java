package dev.junction.spi.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Splicing real sockets: a tiny proxy whose two sides live on the same event loop (the Netty-level path) or on two
 * loops (the hand-off through Vert.x), in front of an echo server, driven by a blocking client.
 */
class DuplexStreamsTest {

    private Vertx vertx;
    private NetServer echo;
    private NetServer proxy;
    private final Promise<DuplexStreams.SpliceResult> spliced = Promise.promise();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(4));
        // Half-close aware, so that the proxy's FIN does not cut the echo still on its way back.
        echo = vertx.createNetServer().connectHandler(socket -> {
            DuplexStream stream = DuplexStreams.of(socket);
            stream.pipeTo(stream).onComplete(done -> stream.close());
        });
        echo.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private int startProxy(boolean sameLoop) throws Exception {
        NetClient client = vertx.createNetClient();
        Context upstreamContext = vertx.getOrCreateContext();
        proxy = vertx.createNetServer().connectHandler(accepted -> {
            DuplexStream downstream = DuplexStreams.of(accepted);
            downstream.pause();
            Context here = Vertx.currentContext();
            Context connectOn = sameLoop ? here : upstreamContext;
            assertThat(sameLoop || connectOn != here).isTrue();
            Promise<DuplexStream> connected = Promise.promise();
            connectOn.runOnContext(v -> client.connect(echo.actualPort(), "127.0.0.1")
                    .map(NetSocket.class::cast)
                    .map(socket -> {
                        DuplexStream upstream = DuplexStreams.of(socket);
                        upstream.pause();
                        return upstream;
                    })
                    .onComplete(connected));
            connected.future().onComplete(result -> here.runOnContext(v ->
                    DuplexStreams.splice(downstream, result.result()).onComplete(spliced)));
        });
        return proxy.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    }

    @ParameterizedTest(name = "same event loop: {0}")
    @ValueSource(booleans = {true, false})
    void splicedSocketsCarryBytesBothWaysWithBackpressureAndHalfClose(boolean sameLoop) throws Exception {
        int port = startProxy(sameLoop);
        byte[] payload = new byte[16 * 1024 * 1024];
        new Random(11).nextBytes(payload);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    out.write(payload);
                    socket.shutdownOutput(); // half-close: the echo must still come back in full
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500); // a slow reader: the proxy must stop reading and start again
            InputStream in = socket.getInputStream();
            byte[] received = in.readNBytes(payload.length);
            assertThat(received).isEqualTo(payload);
            assertThat(in.read()).as("the end of the echo follows the last byte").isEqualTo(-1);
            writer.get(20, TimeUnit.SECONDS);
        }
        DuplexStreams.SpliceResult result = spliced.future().await(20, TimeUnit.SECONDS);
        assertThat(result.failure()).isEmpty();
        assertThat(result.bytesAToB()).isEqualTo(payload.length);
        assertThat(result.bytesBToA()).isEqualTo(payload.length);
    }
}
