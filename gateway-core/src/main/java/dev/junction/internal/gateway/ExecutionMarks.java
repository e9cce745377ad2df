package dev.junction.internal.gateway;

/**
 * Records, per thread, which plugin and route the thread is running right now, so the event-loop watchdog can name
 * them when a loop blocks. Writing a mark is a plain field store on a thread-confined object that the watchdog
 * reads racily; a stale read only makes a report less precise.
 */
public final class ExecutionMarks {

    private static final ThreadLocal<Mark> MARKS = ThreadLocal.withInitial(Mark::new);

    private ExecutionMarks() {
    }

    /** The mark of one thread. */
    public static final class Mark {
        volatile String current;

        /** Returns what the thread runs now, such as {@code plugin tcp, route tcp-in/default}, or null. */
        public String current() {
            return current;
        }
    }

    /** Returns the calling thread's mark object, for the watchdog to keep. */
    public static Mark ofCurrentThread() {
        return MARKS.get();
    }

    /** Marks the calling thread as running {@code what}; returns the previous mark to restore. */
    static String enter(String what) {
        Mark mark = MARKS.get();
        String previous = mark.current;
        mark.current = what;
        return previous;
    }

    static void exit(String previous) {
        MARKS.get().current = previous;
    }
}
