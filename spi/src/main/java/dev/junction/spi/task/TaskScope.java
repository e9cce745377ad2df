package dev.junction.spi.task;

import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * A unit of structured concurrency: a connection, a request, a health probe, a background job.
 *
 * <p>Children spawned in a scope end no later than the scope: when a scope is {@linkplain #cancel(Throwable)
 * cancelled}, closed or passes its deadline, every child scope still running is cancelled and its
 * {@linkplain #onCancel(Runnable) cancel hooks} run (close sockets, abort requests). Deadlines propagate: a child never outlives its parent's
 * deadline. A scope is cheap: a gateway opens one per connection and per request.
 *
 * <pre>{@code
 * TaskScope connection = runtime.open("tcp-in connection", Duration.ZERO);
 * connection.onCancel(() -> socket.close());
 * Future<NetSocket> upstream = connection.spawn("connect", Duration.ofSeconds(5),
 *         scope -> connector.connect(endpoint, scope));
 * Future<String> answer = connection.spawnBlocking("lookup", scope -> blockingDirectory.lookup(user));
 * ...
 * connection.close(); // cancels whatever is still running
 * }</pre>
 *
 * <p>All methods are thread-safe. Callbacks run on the Vert.x context that opened the scope.
 */
public interface TaskScope extends AutoCloseable {

    /** Returns the name given when the scope was opened, for logs and metrics. */
    String name();

    /** Returns the instant after which the scope is cancelled with a timeout, if it has one. */
    Optional<Instant> deadline();

    /** Returns the time left until the deadline, or {@code fallback} when there is none. Never negative. */
    Duration remaining(Duration fallback);

    /** Returns whether the scope has been cancelled, closed or timed out. */
    boolean isCancelled();

    /** Returns a future completed when the scope ends, with the cause for a cancellation or timeout. */
    Future<Void> whenDone();

    /**
     * Runs {@code hook} once if the scope is cancelled or times out (also when a parent ending first cancels it);
     * at once if it already was. A normal {@link #close()} does not run hooks. Hooks run in reverse order of
     * registration.
     */
    void onCancel(Runnable hook);

    /**
     * Opens a child scope. The child is cancelled with its parent; {@code timeout} of zero means "the parent's
     * deadline", any other timeout is capped by it.
     */
    TaskScope child(String name, Duration timeout);

    /**
     * Runs an asynchronous task in a new child scope on the current event loop. The child scope closes when the
     * returned future completes; if the scope is cancelled or times out first, the returned future fails with a
     * {@link TaskCancelledException} and the task's cancel hooks run.
     */
    <T> Future<T> spawn(String name, Duration timeout, Function<TaskScope, Future<T>> task);

    /**
     * Runs blocking code in a new child scope on a virtual thread, where {@code Future.await()} is legal. The
     * returned future completes on the caller's context.
     */
    <T> Future<T> spawnBlocking(String name, Function<TaskScope, T> task);

    /** Runs blocking code on a virtual thread in this scope without opening a child scope. */
    <T> Future<T> runBlocking(Callable<T> task);

    /** Cancels the scope and its children with {@code cause}; a no-op once the scope has ended. */
    void cancel(Throwable cause);

    /** Ends the scope normally, cancelling children that are still running. Idempotent. */
    @Override
    void close();
}
