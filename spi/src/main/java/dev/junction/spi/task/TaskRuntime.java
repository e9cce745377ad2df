package dev.junction.spi.task;

import java.time.Duration;

/**
 * Opens root {@link TaskScope}s and counts them per plugin.
 *
 * <p>The runtime records {@code junction_tasks_started_total}, {@code junction_tasks_active},
 * {@code junction_tasks_cancelled_total} and {@code junction_tasks_timed_out_total} with a {@code plugin} label.
 */
public interface TaskRuntime {

    /**
     * Opens a root scope for a connection, request or background job.
     *
     * @param name a short description for logs, such as {@code "tcp-in connection"}
     * @param timeout the scope's deadline from now, or {@link Duration#ZERO} for none
     */
    TaskScope open(String name, Duration timeout);
}
