package dev.junction.internal.task;

import dev.junction.spi.task.TaskCancelledException;
import dev.junction.spi.task.TaskScope;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * A task scope bound to the Vert.x context that opened it. State changes are guarded by the scope's monitor;
 * hooks and completions run outside it.
 */
final class DefaultTaskScope implements TaskScope {

    static final long NO_DEADLINE = Long.MAX_VALUE;

    private final DefaultTaskRuntime runtime;
    private final VertxInternal vertx;
    private final ContextInternal context;
    private final DefaultTaskScope parent;
    private final String name;
    private final long deadlineNanos;
    private final Promise<Void> done;
    private ArrayDeque<Runnable> hooks;
    private List<DefaultTaskScope> children;
    private long timerId = -1;
    private boolean ended;
    private Throwable endCause;

    DefaultTaskScope(DefaultTaskRuntime runtime, VertxInternal vertx, ContextInternal context,
            DefaultTaskScope parent, String name, long deadlineNanos) {
        this.runtime = runtime;
        this.vertx = vertx;
        this.context = context;
        this.parent = parent;
        this.name = name;
        this.deadlineNanos = deadlineNanos;
        this.done = context.promise();
        runtime.started.increment();
        runtime.active.incrementAndGet();
        if (deadlineNanos != NO_DEADLINE) {
            long delayMillis = Math.max(1, Duration.ofNanos(deadlineNanos - System.nanoTime()).toMillis());
            timerId = vertx.setTimer(delayMillis, id -> end(new TaskCancelledException(
                    name + ": deadline passed", true)));
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<Instant> deadline() {
        if (deadlineNanos == NO_DEADLINE) {
            return Optional.empty();
        }
        return Optional.of(Instant.now().plusNanos(deadlineNanos - System.nanoTime()));
    }

    @Override
    public Duration remaining(Duration fallback) {
        if (deadlineNanos == NO_DEADLINE) {
            return fallback;
        }
        long left = deadlineNanos - System.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    @Override
    public synchronized boolean isCancelled() {
        return ended && endCause != null;
    }

    @Override
    public Future<Void> whenDone() {
        return done.future();
    }

    @Override
    public void onCancel(Runnable hook) {
        synchronized (this) {
            if (!ended) {
                if (hooks == null) {
                    hooks = new ArrayDeque<>(2);
                }
                hooks.push(hook);
                return;
            }
            if (endCause == null) {
                return; // closed normally: nothing was cancelled
            }
        }
        hook.run();
    }

    @Override
    public TaskScope child(String childName, Duration timeout) {
        long childDeadline = timeout.isZero() ? deadlineNanos
                : Math.min(deadlineNanos, System.nanoTime() + timeout.toNanos());
        ContextInternal current = vertx.getContext();
        DefaultTaskScope child = new DefaultTaskScope(runtime, vertx, current != null ? current : context, this,
                childName, childDeadline);
        boolean parentEnded;
        synchronized (this) {
            parentEnded = ended;
            if (!parentEnded) {
                if (children == null) {
                    children = new ArrayList<>(2);
                }
                children.add(child);
            }
        }
        if (parentEnded) {
            child.cancel(new TaskCancelledException(name + ": scope already ended", false));
        }
        return child;
    }

    @Override
    public <T> Future<T> spawn(String taskName, Duration timeout, Function<TaskScope, Future<T>> task) {
        TaskScope child = child(taskName, timeout);
        Promise<T> result = context.promise();
        child.whenDone().onFailure(result::tryFail);
        Future<T> outcome;
        try {
            outcome = task.apply(child);
        } catch (RuntimeException e) {
            outcome = Future.failedFuture(e);
        }
        outcome.onComplete(completion -> {
            if (completion.succeeded()) {
                result.tryComplete(completion.result());
            } else {
                result.tryFail(completion.cause());
            }
            child.close();
        });
        return result.future();
    }

    @Override
    public <T> Future<T> spawnBlocking(String taskName, Function<TaskScope, T> task) {
        TaskScope child = child(taskName, Duration.ZERO);
        Promise<T> result = context.promise();
        child.whenDone().onFailure(result::tryFail);
        onVirtualThread(() -> task.apply(child)).onComplete(completion -> {
            if (completion.succeeded()) {
                result.tryComplete(completion.result());
            } else {
                result.tryFail(completion.cause());
            }
            child.close();
        });
        return result.future();
    }

    @Override
    public <T> Future<T> runBlocking(Callable<T> task) {
        return onVirtualThread(task);
    }

    private <T> Future<T> onVirtualThread(Callable<T> task) {
        Promise<T> result = context.promise();
        // A fresh virtual-thread context per task: blocking without await would otherwise serialize the tasks.
        vertx.createVirtualThreadContext().runOnContext(v -> {
            try {
                result.complete(task.call());
            } catch (Throwable e) {
                result.fail(e);
            }
        });
        return result.future();
    }

    @Override
    public void cancel(Throwable cause) {
        end(cause == null ? new TaskCancelledException(name + ": cancelled", false) : cause);
    }

    @Override
    public void close() {
        end(null);
    }

    private void end(Throwable cause) {
        ArrayDeque<Runnable> toRun;
        List<DefaultTaskScope> toCancel;
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            endCause = cause;
            toRun = hooks;
            hooks = null;
            toCancel = children;
            children = null;
        }
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
        runtime.active.decrementAndGet();
        if (cause instanceof TaskCancelledException cancelled && cancelled.isTimeout()) {
            runtime.timedOut.increment();
        } else if (cause != null) {
            runtime.cancelled.increment();
        }
        if (toCancel != null) {
            TaskCancelledException childCause = cause instanceof TaskCancelledException t ? t
                    : new TaskCancelledException(name + ": parent scope ended", false);
            for (DefaultTaskScope child : toCancel) {
                child.end(childCause);
            }
        }
        if (cause != null && toRun != null) {
            for (Runnable hook : toRun) {
                try {
                    hook.run();
                } catch (RuntimeException e) {
                    System.getLogger("junction.tasks").log(System.Logger.Level.WARNING,
                            "cancel hook of " + name + " failed", e);
                }
            }
        }
        if (parent != null) {
            parent.forget(this);
        }
        if (cause == null) {
            done.tryComplete();
        } else {
            done.tryFail(cause);
        }
    }

    private synchronized void forget(DefaultTaskScope child) {
        if (children != null) {
            children.remove(child);
        }
    }

    @Override
    public String toString() {
        return "TaskScope[" + name + "]";
    }
}
