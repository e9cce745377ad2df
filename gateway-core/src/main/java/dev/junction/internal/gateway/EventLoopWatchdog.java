package dev.junction.internal.gateway;

import dev.junction.internal.plugin.PluginScanner;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.internal.VertxInternal;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Measures how late each event loop runs a task posted to it (the event-loop delay) and reports a loop that stays
 * busy longer than the threshold, naming the plugin and route running on it and its stack. One report per blocking
 * episode.
 */
final class EventLoopWatchdog {

    private static final System.Logger LOG = System.getLogger("junction.watchdog");
    private static final long PERIOD_MILLIS = 100;

    private final VertxInternal vertx;
    private final Timer delay;
    private final List<Probe> probes = new ArrayList<>();
    private volatile long thresholdNanos;
    private Thread thread;
    private volatile boolean running;

    EventLoopWatchdog(VertxInternal vertx, MeterRegistry registry, Duration threshold) {
        this.vertx = vertx;
        this.thresholdNanos = threshold.toNanos();
        this.delay = Timer.builder("junction.event.loop.delay")
                .description("How late event loops ran a task posted to them")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    void threshold(Duration threshold) {
        this.thresholdNanos = threshold.toNanos();
    }

    void start() {
        for (EventExecutor loop : vertx.nettyEventLoopGroup()) {
            probes.add(new Probe(loop));
        }
        running = true;
        thread = Thread.ofPlatform().daemon().name("junction-watchdog").start(this::run);
    }

    void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void run() {
        while (running) {
            long now = System.nanoTime();
            for (Probe probe : probes) {
                probe.check(now);
            }
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private final class Probe {
        private final EventExecutor loop;
        private volatile long postedAt;
        private volatile boolean pending;
        private volatile Thread loopThread;
        private volatile ExecutionMarks.Mark mark;
        private boolean reported;

        Probe(EventExecutor loop) {
            this.loop = loop;
        }

        void check(long now) {
            if (!pending) {
                reported = false;
                pending = true;
                postedAt = now;
                loop.execute(this::beat);
                return;
            }
            long late = now - postedAt;
            if (!reported && late > thresholdNanos && loopThread != null) {
                reported = true;
                report(late);
            }
        }

        private void beat() {
            if (loopThread == null) {
                loopThread = Thread.currentThread();
                mark = ExecutionMarks.ofCurrentThread();
            }
            delay.record(System.nanoTime() - postedAt, TimeUnit.NANOSECONDS);
            pending = false;
        }

        private void report(long lateNanos) {
            Thread blocked = loopThread;
            StackTraceElement[] stack = blocked.getStackTrace();
            String running = mark == null ? null : mark.current();
            StringBuilder message = new StringBuilder()
                    .append("event loop ").append(blocked.getName()).append(" blocked for ")
                    .append(TimeUnit.NANOSECONDS.toMillis(lateNanos)).append("ms in ")
                    .append(running != null ? running : "code outside any route")
                    .append("; plugin code on the stack: ").append(pluginOf(stack).orElse("none"));
            for (int i = 0; i < Math.min(stack.length, 12); i++) {
                message.append("\n    at ").append(stack[i]);
            }
            LOG.log(Level.WARNING, message.toString());
        }
    }

    private static Optional<String> pluginOf(StackTraceElement[] stack) {
        for (StackTraceElement frame : stack) {
            Optional<String> plugin = PluginScanner.definingPlugin(frame.getClassName());
            if (plugin.isPresent()) {
                return plugin;
            }
        }
        return Optional.empty();
    }
}
