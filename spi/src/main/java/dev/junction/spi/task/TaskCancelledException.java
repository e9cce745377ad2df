package dev.junction.spi.task;

/**
 * Fails the futures of tasks whose {@link TaskScope} ended before they finished: a client went away, a deadline
 * passed ({@link #isTimeout()}), or a listener was drained.
 */
public class TaskCancelledException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean timeout;

    /** Creates a cancellation; {@code timeout} says whether a deadline caused it. */
    public TaskCancelledException(String message, boolean timeout) {
        super(message, null, false, false);
        this.timeout = timeout;
    }

    /** Returns whether the scope ended because its deadline passed. */
    public boolean isTimeout() {
        return timeout;
    }
}
