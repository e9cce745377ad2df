package dev.junction.internal.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.spi.task.TaskCancelledException;
import dev.junction.spi.task.TaskScope;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DefaultTaskScopeTest {

    private VertxInternal vertx;
    private SimpleMeterRegistry registry;
    private DefaultTaskRuntime runtime;

    @BeforeEach
    void start() {
        vertx = (VertxInternal) Vertx.vertx();
        registry = new SimpleMeterRegistry();
        runtime = new DefaultTaskRuntime(vertx, registry, "test");
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void closingAScopeCancelsRunningChildrenAndRunsTheirHooksInReverse() {
        TaskScope root = runtime.open("connection", Duration.ZERO);
        List<String> order = new CopyOnWriteArrayList<>();
        TaskScope child = root.child("connect", Duration.ZERO);
        child.onCancel(() -> order.add("first"));
        child.onCancel(() -> order.add("second"));
        root.close();
        assertThat(child.isCancelled()).isTrue();
        assertThat(order).containsExactly("second", "first");
        assertThat(root.isCancelled()).as("a normal close is not a cancellation").isFalse();
    }

    @Test
    void normalCloseDoesNotRunCancelHooks() {
        TaskScope scope = runtime.open("job", Duration.ZERO);
        List<String> ran = new CopyOnWriteArrayList<>();
        scope.onCancel(() -> ran.add("hook"));
        scope.close();
        scope.onCancel(() -> ran.add("late hook"));
        assertThat(ran).isEmpty();
        assertThat(scope.whenDone().succeeded()).isTrue();
    }

    @Test
    void spawnedTaskPastItsDeadlineFailsWithATimeoutAndCountsIt() throws Exception {
        TaskScope root = runtime.open("request", Duration.ZERO);
        Promise<String> never = Promise.promise();
        List<String> hooks = new CopyOnWriteArrayList<>();
        Future<String> result = root.spawn("slow upstream", Duration.ofMillis(50), scope -> {
            scope.onCancel(() -> hooks.add("aborted"));
            return never.future();
        });
        assertThatThrownBy(() -> result.await(5, TimeUnit.SECONDS))
                .isInstanceOfSatisfying(TaskCancelledException.class, e -> assertThat(e.isTimeout()).isTrue());
        assertThat(hooks).containsExactly("aborted");
        assertThat(registry.get("junction.tasks.timed.out").tag("plugin", "test").counter().count()).isEqualTo(1.0);
        root.close();
    }

    @Test
    void childDeadlineIsCappedByTheParentDeadline() {
        TaskScope root = runtime.open("request", Duration.ofSeconds(1));
        TaskScope child = root.child("retry", Duration.ofMinutes(5));
        assertThat(child.remaining(Duration.ZERO)).isLessThanOrEqualTo(Duration.ofSeconds(1));
        root.close();
    }

    @Test
    void spawnedTaskCompletingNormallyClosesItsScopeWithoutRunningHooks() throws Exception {
        TaskScope root = runtime.open("request", Duration.ZERO);
        List<String> hooks = new CopyOnWriteArrayList<>();
        String value = root.spawn("quick", Duration.ofSeconds(5), scope -> {
            scope.onCancel(() -> hooks.add("should not run"));
            return Future.succeededFuture("done");
        }).await(5, TimeUnit.SECONDS);
        assertThat(value).isEqualTo("done");
        assertThat(hooks).isEmpty();
        root.close();
        assertThat(registry.get("junction.tasks.active").tag("plugin", "test").gauge().value()).isEqualTo(0.0);
    }

    @Test
    void blockingTasksRunOnVirtualThreadsWhereAwaitIsLegal() throws Exception {
        TaskScope root = runtime.open("job", Duration.ZERO);
        String result = vertx.getOrCreateContext().<String>executeBlocking(() -> null).compose(x ->
                root.spawnBlocking("lookup", scope -> {
                    String awaited = vertx.timer(10).map(v -> "awaited").await();
                    return awaited + " on virtual " + Thread.currentThread().isVirtual();
                })).await(5, TimeUnit.SECONDS);
        assertThat(result).isEqualTo("awaited on virtual true");
        root.close();
    }

    @Test
    void cancellingTheParentFailsABlockingTaskStillRunning() {
        TaskScope root = runtime.open("job", Duration.ZERO);
        Future<String> blocked = root.spawnBlocking("sleeper", scope -> {
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "late";
        });
        root.cancel(new TaskCancelledException("client went away", false));
        assertThatThrownBy(() -> blocked.await(2, TimeUnit.SECONDS))
                .isInstanceOf(TaskCancelledException.class).hasMessageContaining("client went away");
    }
}
