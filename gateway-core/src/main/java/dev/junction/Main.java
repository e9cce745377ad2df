package dev.junction;

import dev.junction.internal.cli.Commands;

/**
 * The {@code junction} command line: {@code run}, {@code validate}, {@code plugins}, {@code version}.
 *
 * <p>Exit codes: 0 success; 1 the gateway failed to start or stopped on an error; 2 the configuration is invalid;
 * 64 the command line is wrong.
 */
public final class Main {

    private Main() {
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        int status = Commands.execute(args);
        if (status != Commands.KEEP_RUNNING) {
            System.exit(status);
        }
    }
}
