package dev.junction.plugin.http;

import java.time.Duration;

/** Polling for asynchronous outcomes in tests. */
final class TestSupport {

    private TestSupport() {
    }

    /** Polls {@code assertion} until it passes or ten seconds have gone by. */
    static void eventually(Runnable assertion) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
