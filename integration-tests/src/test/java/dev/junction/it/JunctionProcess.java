package dev.junction.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A gateway started as an OS process through {@code bin/junction}, with its stderr (the log) captured to a file.
 *
 * <p>The launcher {@code exec}s the JVM, so {@link #pid()} is the JVM's own PID and signals reach the gateway.
 * Every wait is bounded; a failure message carries the gateway's log.
 */
final class JunctionProcess implements AutoCloseable {
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);
    static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private final Process process;
    private final Path log;
    private final Path stdout;
    private final int adminPort;
    private boolean closed;

    private JunctionProcess(Process process, Path log, Path stdout, int adminPort) {
        this.process = process;
        this.log = log;
        this.stdout = stdout;
        this.adminPort = adminPort;
    }

    static JunctionProcess start(JunctionHome home, List<String> args, int adminPort, String extraJvmOptions, Path log) {
        List<String> commandLine = new ArrayList<>();
        commandLine.add(home.resolve("bin/junction").toString());
        commandLine.addAll(args);
        Path stdout = Paths.get(log.toString().replaceFirst("\\.log$", "") + ".out");
        ProcessBuilder builder = new ProcessBuilder(commandLine)
                .directory(home.work().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Paths.get("/dev/null").toFile()))
                .redirectOutput(stdout.toFile())
                .redirectError(log.toFile());
        builder.environment().putAll(home.environment(extraJvmOptions));
        try {
            return new JunctionProcess(builder.start(), log, stdout, adminPort);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + commandLine, e);
        }
    }

    long pid() {
        return process.pid();
    }

    int adminPort() {
        return adminPort;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path logFile() {
        return log;
    }

    /** The gateway's stderr so far (and its stdout, if it printed anything there). */
    String log() {
        String out = JunctionHome.readQuietly(stdout);
        return JunctionHome.readQuietly(log) + (out.isEmpty() ? "" : "--- stdout ---\n" + out);
    }

    /** Waits until GET /health answers 200, failing early if the process exits. */
    void awaitHealthy(Duration timeout) {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw failure("the gateway exited with code " + process.exitValue() + " before /health answered");
            }
            try {
                HttpResponse<String> response = get("/health");
                if (response.statusCode() == 200) {
                    return;
                }
                last = "status " + response.statusCode() + ": " + response.body();
            } catch (IOException e) {
                last = e.toString();
            }
            sleep(50);
        }
        throw failure("/health on 127.0.0.1:" + adminPort + " did not answer 200 within " + timeout + " (last: " + last + ")");
    }

    /** GET on the admin API; an IOException means nothing answered. */
    HttpResponse<String> get(String path) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** GET that must answer 200; returns the body. */
    String getOk(String path) {
        try {
            HttpResponse<String> response = get(path);
            if (response.statusCode() != 200) {
                throw failure("GET " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw failure("GET " + path + " failed: " + e);
        }
    }

    /** Sends a signal (TERM, HUP, ...) to the gateway's PID with kill(1). */
    void signal(String name) {
        try {
            Process kill = new ProcessBuilder("sh", "-c", "kill -s " + name + " " + process.pid())
                    .redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw failure("kill -s " + name + " " + process.pid() + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Waits for the process to exit and returns its exit code. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw failure("the gateway did not exit within " + timeout);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Waits until a line of the log matches {@code regex} (found anywhere in the line); returns that line. */
    String awaitLogLine(String regex, Duration timeout) {
        return awaitLogLine(regex, 0, timeout);
    }

    /** Like {@link #awaitLogLine(String, Duration)}, looking only at log lines after the first {@code skipLines}. */
    String awaitLogLine(String regex, int skipLines, Duration timeout) {
        Pattern pattern = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> lines = logLines();
            for (int i = skipLines; i < lines.size(); i++) {
                if (pattern.matcher(lines.get(i)).find()) {
                    return lines.get(i);
                }
            }
            if (System.nanoTime() >= deadline) {
                throw failure("no log line matching /" + regex + "/ within " + timeout);
            }
            sleep(50);
        }
    }

    /** The log's lines so far. */
    List<String> logLines() {
        return JunctionHome.readQuietly(log).lines().toList();
    }

    /** Resident set size and its peak so far, in bytes, from /proc/PID/status. */
    long[] residentAndPeakBytes() {
        try {
            long rss = -1;
            long peak = -1;
            for (String line : Files.readAllLines(Paths.get("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kibibytes(line) * 1024;
                } else if (line.startsWith("VmHWM:")) {
                    peak = kibibytes(line) * 1024;
                }
            }
            return new long[] {rss, peak};
        } catch (IOException e) {
            throw failure("cannot read /proc/" + process.pid() + "/status: " + e);
        }
    }

    private static long kibibytes(String statusLine) {
        return Long.parseLong(statusLine.replaceAll("[^0-9]", ""));
    }

    AssertionError failure(String message) {
        return new AssertionError(message + "\n--- gateway log (" + log + ") ---\n" + log() + "--- end of log ---");
    }

    /**
     * Stops the gateway if it still runs: asks the JVM for a full GC (so that leaked buffers get collected), makes
     * one more request (so the leak detector reports them), then SIGTERM; fails on a leak report in the log.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (process.isAlive()) {
            forceGarbageCollection();
            try {
                get("/metrics");
            } catch (IOException ignored) {
                // only there to give the leak detector an allocation to report on
            }
            signal("TERM");
            try {
                if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    throw failure("the gateway did not exit within " + EXIT_TIMEOUT + " of SIGTERM; killed it");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        String text = log();
        if (text.contains("LEAK:")) {
            throw new AssertionError("Netty reported a buffer leak in the gateway's log " + log + ":\n" + text);
        }
    }

    /** Runs {@code jcmd PID GC.run} from the JDK running the tests (bounded; best effort). */
    void forceGarbageCollection() {
        Path jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd) || !process.isAlive()) {
            return;
        }
        try {
            Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.run")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!gc.waitFor(15, TimeUnit.SECONDS)) {
                gc.destroyForcibly();
            }
        } catch (IOException e) {
            // jcmd could not attach; the leak check then relies on the GCs that happened anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
