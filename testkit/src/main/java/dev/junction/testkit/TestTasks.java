package dev.junction.testkit;

import dev.junction.spi.task.TaskCancelledException;
import dev.junction.spi.task.TaskRuntime;
import dev.junction.spi.task.TaskScope;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** A small but complete task runtime: scopes with children, deadlines, cancel hooks and blocking tasks. */
public final class TestTasks implements TaskRuntime {

    private final Vertx vertx;
    private final AtomicInteger openRootScopes = new AtomicInteger();

    /** Creates a task runtime whose scopes run on {@code vertx}. */
    public TestTasks(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Returns how many root scopes are open: a leak check for connections. */
    public int openRootScopes() {
        return openRootScopes.get();
    }

    @Override
    public TaskScope open(String name, Duration timeout) {
        openRootScopes.incrementAndGet();
        return new Scope(name, null, timeout);
    }

    private final class Scope implements TaskScope {
        private final String name;
        private final Scope parent;
        private final Instant deadline;
        private final Context context;
        private final Promise<Void> done = Promise.promise();
        private final List<Runnable> hooks = new ArrayList<>();
        private final List<Scope> children = new ArrayList<>();
        private long timer = -1;
        private boolean ended;

        Scope(String name, Scope parent, Duration timeout) {
            this.name = name;
            this.parent = parent;
            Context current = Vertx.currentContext();
            this.context = current != null ? current : vertx.getOrCreateContext();
            Instant own = timeout.isZero() ? null : Instant.now().plus(timeout);
            Instant inherited = parent == null ? null : parent.deadline;
            this.deadline = own == null ? inherited : inherited == null || own.isBefore(inherited) ? own : inherited;
            if (deadline != null) {
                long millis = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
                timer = vertx.setTimer(millis, id -> cancel(new TaskCancelledException(name + " timed out", true)));
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Optional<Instant> deadline() {
            return Optional.ofNullable(deadline);
        }

        @Override
        public Duration remaining(Duration fallback) {
            if (deadline == null) {
                return fallback;
            }
            Duration left = Duration.between(Instant.now(), deadline);
            return left.isNegative() ? Duration.ZERO : left;
        }

        @Override
        public synchronized boolean isCancelled() {
            return ended;
        }

        @Override
        public Future<Void> whenDone() {
            return done.future();
        }

        @Override
        public void onCancel(Runnable hook) {
            synchronized (this) {
                if (!ended) {
                    hooks.add(hook);
                    return;
                }
            }
            runOnContext(hook);
        }

        @Override
        public TaskScope child(String childName, Duration timeout) {
            Scope child = new Scope(childName, this, timeout);
            boolean parentEnded;
            synchronized (this) {
                parentEnded = ended;
                if (!ended) {
                    children.add(child);
                }
            }
            if (parentEnded) {
                child.cancel(new TaskCancelledException(name + " has ended", false));
            }
            return child;
        }

        @Override
        public <T> Future<T> spawn(String taskName, Duration timeout, Function<TaskScope, Future<T>> task) {
            TaskScope child = child(taskName, timeout);
            Promise<T> result = Promise.promise();
            child.whenDone().onFailure(result::tryFail);
            Future<T> running;
            try {
                running = task.apply(child);
            } catch (RuntimeException e) {
                running = Future.failedFuture(e);
            }
            running.onComplete(outcome -> {
                if (outcome.succeeded()) {
                    result.tryComplete(outcome.result());
                } else {
                    result.tryFail(outcome.cause());
                }
                child.close();
            });
            return result.future();
        }

        @Override
        public <T> Future<T> spawnBlocking(String taskName, Function<TaskScope, T> task) {
            TaskScope child = child(taskName, Duration.ZERO);
            return context.<T>executeBlocking(() -> task.apply(child), false).andThen(outcome -> child.close());
        }

        @Override
        public <T> Future<T> runBlocking(Callable<T> task) {
            return context.executeBlocking(task, false);
        }

        @Override
        public void cancel(Throwable cause) {
            end(cause);
        }

        @Override
        public void close() {
            end(null);
        }

        private void end(Throwable cause) {
            List<Runnable> endHooks;
            List<Scope> endChildren;
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
                endHooks = new ArrayList<>(hooks);
                endChildren = new ArrayList<>(children);
                hooks.clear();
                children.clear();
            }
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            TaskCancelledException childCause = cause instanceof TaskCancelledException cancelled ? cancelled
                    : new TaskCancelledException(name + " has ended", false);
            for (Scope child : endChildren) {
                child.cancel(childCause);
            }
            for (int i = endHooks.size() - 1; i >= 0; i--) {
                runOnContext(endHooks.get(i));
            }
            if (cause == null) {
                done.tryComplete();
            } else {
                done.tryFail(cause);
            }
            if (parent == null) {
                openRootScopes.decrementAndGet();
            } else {
                synchronized (parent) {
                    parent.children.remove(this);
                }
            }
        }

        private void runOnContext(Runnable hook) {
            if (Vertx.currentContext() == context) {
                hook.run();
            } else {
                context.runOnContext(v -> hook.run());
            }
        }
    }
}
