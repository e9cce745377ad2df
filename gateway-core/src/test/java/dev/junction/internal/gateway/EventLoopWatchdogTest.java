package dev.junction.internal.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class EventLoopWatchdogTest {

    @Test
    void aBlockedEventLoopIsReportedWithThePluginAndRouteRunningOnIt() throws Exception {
        VertxInternal vertx = (VertxInternal) Vertx.vertx();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EventLoopWatchdog watchdog = new EventLoopWatchdog(vertx, registry, Duration.ofMillis(200));
        List<String> warnings = new CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger("junction.watchdog");
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                warnings.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(capture);
        try {
            watchdog.start();
            Thread.sleep(300); // let every loop answer a first beat
            vertx.getOrCreateContext().runOnContext(v -> {
                String previous = ExecutionMarks.enter("plugin slowpoke, route in/main");
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    ExecutionMarks.exit(previous);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (warnings.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(warnings).hasSize(1).first().asString()
                    .contains("blocked for").contains("in plugin slowpoke, route in/main")
                    .contains("at java.base/java.lang.Thread.sleep");
            assertThat(registry.get("junction.event.loop.delay").timer().count()).isPositive();
        } finally {
            logger.removeHandler(capture);
            watchdog.stop();
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}
