package dev.junction.internal.cli;

import dev.junction.internal.config.ConfigValidationException;
import dev.junction.internal.gateway.Gateway;
import dev.junction.spi.SpiVersion;
import dev.junction.spi.config.ConfigException;
import java.io.PrintWriter;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The picocli commands behind {@link dev.junction.Main}. */
@Command(name = "junction", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
        description = "A polyglot protocol gateway.",
        subcommands = {Commands.Run.class, Commands.Validate.class, Commands.Plugins.class, Commands.VersionCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the gateway failed to start or stopped on an error",
                "2:the configuration is invalid", "64:the command line is wrong"})
public final class Commands implements Callable<Integer> {

    /** Returned by {@link #execute(String[])} when the gateway runs on after {@code main} returns. */
    public static final int KEEP_RUNNING = -1;
    static final int OK = 0;
    static final int FAILED = 1;
    static final int INVALID_CONFIG = 2;
    static final int USAGE = 64;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Parses and runs {@code args}; returns the exit status or {@link #KEEP_RUNNING}. */
    public static int execute(String[] args) {
        LogFormat.install(System.getenv("JUNCTION_LOG_LEVEL"));
        CommandLine commandLine = new CommandLine(new Commands());
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            e.getCommandLine().getErr().println("junction: " + e.getMessage());
            e.getCommandLine().usage(e.getCommandLine().getErr());
            return USAGE;
        });
        return commandLine.execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return OK;
    }

    static Path home() {
        String home = System.getProperty("junction.home");
        return Path.of(home == null ? "." : home);
    }

    static Optional<Path> pluginsDirectory(Path option) {
        Path directory = option != null ? option : home().resolve("plugins");
        return Files.isDirectory(directory) ? Optional.of(directory) : Optional.empty();
    }

    static Map<String, String> environment() {
        return System.getenv();
    }

    static void printProblems(PrintWriter err, List<ConfigException> problems) {
        for (ConfigException problem : problems) {
            err.println(problem.getMessage());
        }
        err.flush();
    }

    /** {@code junction run}. */
    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Runs the gateway until SIGTERM or SIGINT; SIGHUP reloads the configuration.")
    static final class Run implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE",
                description = "configuration file (default: conf/junction.yaml under the installation)")
        Path config;

        @Option(names = "--plugins", paramLabel = "DIR", description = "plugin folders (default: plugins/ under the installation)")
        Path plugins;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Path file = config != null ? config : home().resolve("conf").resolve("junction.yaml");
            PrintWriter err = spec.commandLine().getErr();
            if (!Files.isReadable(file)) {
                err.println("junction: cannot read configuration file " + file);
                err.flush();
                return INVALID_CONFIG;
            }
            Signals signals = Signals.install();
            Gateway gateway;
            try {
                gateway = Gateway.start(file, pluginsDirectory(plugins), environment()).await();
            } catch (ConfigValidationException e) {
                printProblems(err, e.problems());
                return INVALID_CONFIG;
            } catch (ConfigException e) {
                printProblems(err, Gateway.problemsOf(e));
                return INVALID_CONFIG;
            } catch (RuntimeException e) {
                err.println("junction: failed to start: " + (e.getMessage() == null ? e : e.getMessage()));
                err.flush();
                return FAILED;
            }
            signals.attach(gateway);
            return KEEP_RUNNING;
        }
    }

    /** {@code junction validate}. */
    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Checks a configuration file against the installed plugins without starting anything.")
    static final class Validate implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE", required = true, description = "configuration file")
        Path config;

        @Option(names = "--plugins", paramLabel = "DIR", description = "plugin folders (default: plugins/ under the installation)")
        Path plugins;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            if (!Files.isReadable(config)) {
                err.println("junction: cannot read configuration file " + config);
                err.flush();
                return INVALID_CONFIG;
            }
            Gateway.ValidationReport report = Gateway.validate(config, pluginsDirectory(plugins), environment())
                    .await();
            for (String problem : report.pluginProblems()) {
                err.println("warning: " + problem);
            }
            if (!report.problems().isEmpty()) {
                printProblems(err, report.problems());
                return INVALID_CONFIG;
            }
            err.flush();
            spec.commandLine().getOut().println(config + ": OK");
            spec.commandLine().getOut().flush();
            return OK;
        }
    }

    /** {@code junction plugins}. */
    @Command(name = "plugins", mixinStandardHelpOptions = true, description = "Lists the installed plugins.")
    static final class Plugins implements Callable<Integer> {
        @Option(names = "--plugins", paramLabel = "DIR", description = "plugin folders (default: plugins/ under the installation)")
        Path plugins;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Gateway.PluginListing listing = Gateway.listPlugins(pluginsDirectory(plugins)).await();
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-16s %-10s %-5s %s%n", "NAME", "VERSION", "SPI", "FROM");
            for (Gateway.PluginListing.Entry entry : listing.plugins()) {
                out.printf("%-16s %-10s %-5s %s%n", entry.name(), entry.version(), entry.spiVersion(), entry.origin());
                if (!entry.description().isEmpty()) {
                    out.printf("    %s%n", entry.description());
                }
                for (String line : entry.provides()) {
                    out.printf("    provides %s%n", line);
                }
            }
            out.flush();
            PrintWriter err = spec.commandLine().getErr();
            for (String problem : listing.problems()) {
                err.println("warning: " + problem);
            }
            err.flush();
            return OK;
        }
    }

    /** {@code junction version}. */
    @Command(name = "version", description = "Prints the version of Junction, its SPI and the Java runtime.")
    static final class VersionCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            for (String line : new Version().getVersion()) {
                spec.commandLine().getOut().println(line);
            }
            spec.commandLine().getOut().flush();
            return OK;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Commands.class.getPackage().getImplementationVersion();
            return new String[] {
                "junction " + (version == null ? "dev" : version),
                "spi " + SpiVersion.CURRENT,
                "java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"
            };
        }
    }

    /**
     * Signal handling for {@code run}: HUP reloads, TERM and INT drain and exit 0. Installed before the gateway
     * starts, so a TERM during startup ends the process with 0 instead of the JVM's 143.
     */
    static final class Signals {
        private static final System.Logger LOG = System.getLogger("junction.gateway");
        private volatile Gateway gateway;
        private volatile boolean stopRequested;

        static Signals install() {
            Signals signals = new Signals();
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
                Gateway running = signals.gateway;
                if (running != null) {
                    running.reload("SIGHUP");
                }
            });
            sun.misc.SignalHandler stop = signal -> signals.stop();
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), stop);
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), stop);
            return signals;
        }

        void attach(Gateway started) {
            this.gateway = started;
            if (stopRequested) {
                stop();
            }
        }

        private synchronized void stop() {
            stopRequested = true;
            Gateway running = gateway;
            if (running == null) {
                return; // still starting: attach() stops it once it is up
            }
            Thread.ofPlatform().name("junction-shutdown").start(() -> {
                int status = OK;
                try {
                    running.shutdown().await();
                    LOG.log(Level.INFO, "stopped");
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "shutdown failed: " + e);
                    status = FAILED;
                }
                System.exit(status);
            });
        }
    }
}
