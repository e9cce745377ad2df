package dev.junction.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A private copy of the packaged distribution ({@code distribution/target/junction-<version>/}), so that a test can
 * add and remove plugin folders and write configurations without touching the build's tree or another test's.
 *
 * <p>Closing it stops every gateway it started and fails if any of their logs, or the output of any command it
 * ran, holds a Netty leak report ({@code LEAK:}).
 */
final class JunctionHome implements AutoCloseable {
    /** How long a one-shot command (validate, plugins, version) may take. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    /** The leak detector's strictest level, for every JVM the tests start. */
    static final String LEAK_DETECTION = "-Dio.netty.leakDetection.level=paranoid -Dio.netty.leakDetection.targetRecords=8";

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final Path home;
    private final Path work;
    private final List<JunctionProcess> processes = new ArrayList<>();
    private final List<Path> commandLogs = new ArrayList<>();

    private JunctionHome(Path home, Path work) {
        this.home = home;
        this.work = work;
    }

    /** Returns the packaged distribution the tests run, failing if the build has not produced it. */
    static Path distribution() {
        String property = System.getProperty("junction.distribution", "../distribution/target/junction-0.1.0");
        Path distribution = Paths.get(property).toAbsolutePath().normalize();
        assertThat(distribution.resolve("bin/junction"))
                .as("the packaged distribution (build it with `mvn -pl distribution -am package`)")
                .isExecutable();
        return distribution;
    }

    /** Returns the example third-party plugin's jar built by examples/echo-plugin. */
    static Path echoPluginJar() {
        String property = System.getProperty("junction.echoPluginJar");
        Path jar = property == null || property.isBlank() || property.startsWith("${")
                ? Paths.get("../examples/echo-plugin/target/junction-example-echo-plugin-0.1.0.jar")
                : Paths.get(property);
        jar = jar.toAbsolutePath().normalize();
        assertThat(jar).as("the example plugin jar (built by examples/echo-plugin)").isRegularFile();
        return jar;
    }

    /** Copies the distribution into a fresh folder named after the test. */
    static JunctionHome copyOfDistribution(String testName) {
        Path root = Paths.get(System.getProperty("junction.workDirectory", "target/it-work")).toAbsolutePath();
        String folder = testName.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + ProcessHandle.current().pid() + "-"
                + SEQUENCE.incrementAndGet();
        Path work = root.resolve(folder);
        Path home = work.resolve("junction");
        try {
            deleteRecursively(work);
            Files.createDirectories(work);
            copyTree(distribution(), home);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new JunctionHome(home, work);
    }

    Path path() {
        return home;
    }

    Path resolve(String relative) {
        return home.resolve(relative);
    }

    /** A scratch folder beside the copy, for configuration files and logs. */
    Path work() {
        return work;
    }

    /** Writes {@code text} to {@code work()/name} and returns the file. */
    Path writeConfig(String name, String text) {
        Path file = work.resolve(name);
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Reads a file of the distribution copy, such as {@code examples/tcp-proxy.yaml}. */
    String read(String relative) {
        try {
            return Files.readString(home.resolve(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Environment for bin/junction: the JDK running the tests, leak detection at paranoid. */
    Map<String, String> environment(String extraJvmOptions) {
        Map<String, String> environment = new HashMap<>();
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        environment.put("JUNCTION_OPTS", (LEAK_DETECTION + " " + extraJvmOptions).trim());
        return environment;
    }

    /** Runs {@code bin/junction args...} to completion (bounded by {@link #COMMAND_TIMEOUT}). */
    CommandResult command(String... args) {
        return command(Map.of(), args);
    }

    /** Runs {@code bin/junction args...} with extra environment variables. */
    CommandResult command(Map<String, String> extraEnvironment, String... args) {
        List<String> commandLine = new ArrayList<>();
        commandLine.add(home.resolve("bin/junction").toString());
        commandLine.addAll(List.of(args));
        return run(commandLine, extraEnvironment);
    }

    /** Runs any command line with this home's environment, from the work folder. */
    CommandResult run(List<String> commandLine, Map<String, String> extraEnvironment) {
        int number = commandLogs.size() + 1;
        Path out = work.resolve("command-" + number + ".out");
        Path err = work.resolve("command-" + number + ".err");
        commandLogs.add(err);
        commandLogs.add(out);
        ProcessBuilder builder = new ProcessBuilder(commandLine)
                .directory(work.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Paths.get("/dev/null").toFile()))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().putAll(environment(""));
        builder.environment().putAll(extraEnvironment);
        try {
            Process process = builder.start();
            if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(commandLine + " did not finish within " + COMMAND_TIMEOUT
                        + "\n--- stdout ---\n" + Files.readString(out) + "--- stderr ---\n" + Files.readString(err));
            }
            return new CommandResult(process.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Starts {@code bin/junction run -c config} and waits until the admin API on adminPort answers /health 200. */
    JunctionProcess start(Path config, int adminPort) {
        return start(List.of("run", "-c", config.toString()), adminPort, "");
    }

    /** Starts {@code bin/junction args...} with extra JVM options and waits for /health 200 on adminPort. */
    JunctionProcess start(List<String> args, int adminPort, String extraJvmOptions) {
        JunctionProcess process = JunctionProcess.start(this, args, adminPort, extraJvmOptions,
                work.resolve("gateway-" + (processes.size() + 1) + ".log"));
        processes.add(process);
        process.awaitHealthy(JunctionProcess.STARTUP_TIMEOUT);
        return process;
    }

    /** Stops every gateway still running and fails on a Netty leak report anywhere in this home's output. */
    @Override
    public void close() {
        AssertionError failure = null;
        for (JunctionProcess process : processes) {
            try {
                process.close();
            } catch (AssertionError | RuntimeException e) {
                failure = failure == null ? new AssertionError(e.getMessage(), e) : failure;
            }
        }
        for (Path log : commandLogs) {
            String text = readQuietly(log);
            if (text.contains("LEAK:")) {
                failure = failure == null ? new AssertionError("Netty reported a leak in " + log + ":\n" + text) : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "<unreadable " + file + ": " + e + ">";
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes) throws IOException {
                Path relative = from.relativize(directory);
                if (relative.toString().equals("var")) {
                    return FileVisitResult.SKIP_SUBTREE; // state of runs of the build's tree (the CDS archive)
                }
                Files.createDirectories(to.resolve(relative.toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES,
                        LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(path)) {
            for (Path each : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(each);
            }
        }
    }
}
