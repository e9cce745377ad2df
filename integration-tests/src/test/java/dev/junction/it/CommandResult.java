package dev.junction.it;

/** What a finished {@code bin/junction} command printed and how it exited. */
record CommandResult(int exitCode, String stdout, String stderr) {

    /** Returns stdout followed by stderr. */
    String output() {
        return stdout + stderr;
    }

    @Override
    public String toString() {
        return "exit code " + exitCode + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr + "---";
    }
}
