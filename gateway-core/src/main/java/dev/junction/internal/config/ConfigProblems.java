package dev.junction.internal.config;

import dev.junction.spi.config.ConfigException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Collects configuration problems so that validation goes on after the first one and reports them all.
 *
 * <p>A {@link ConfigException} may carry further problems as {@linkplain Throwable#getSuppressed() suppressed}
 * {@code ConfigException}s ({@link YamlConfigNode#checkKeys(String...)} and {@link ConfigLoader} report several
 * that way); they are collected too. The same message is kept once.
 *
 * <pre>{@code
 * ConfigProblems problems = new ConfigProblems();
 * problems.run(() -> root.checkKeys("admin", "runtime", "listeners", "upstreams"));
 * Optional<Duration> drain = problems.get(() -> runtime.get("drain-timeout").asDuration(Duration.ofSeconds(10)));
 * problems.throwIfAny();   // ConfigValidationException, one line per problem
 * }</pre>
 */
public final class ConfigProblems {

    private static final Comparator<ConfigException> BY_POSITION = Comparator
            .comparing((ConfigException problem) -> problem.location().file())
            .thenComparingInt(problem -> problem.location().line())
            .thenComparingInt(problem -> problem.location().column());

    private final Set<String> messages = new LinkedHashSet<>();
    private final List<ConfigException> problems = new ArrayList<>();

    /** Creates an empty collector. */
    public ConfigProblems() {
    }

    /** Records {@code problem} and the {@code ConfigException}s suppressed in it. */
    public void add(ConfigException problem) {
        Objects.requireNonNull(problem, "problem");
        if (messages.add(problem.getMessage())) {
            problems.add(problem);
        }
        for (Throwable suppressed : problem.getSuppressed()) {
            if (suppressed instanceof ConfigException further) {
                add(further);
            }
        }
    }

    /** Runs {@code check}, recording the problems it throws instead of propagating them. */
    public void run(Runnable check) {
        Objects.requireNonNull(check, "check");
        try {
            check.run();
        } catch (ConfigException problem) {
            add(problem);
        } catch (ConfigValidationException validation) {
            validation.problems().forEach(this::add);
        }
    }

    /**
     * Returns what {@code check} returns, or empty (recording the problems) when it throws; also empty when it
     * returns null.
     */
    public <T> Optional<T> get(Supplier<? extends T> check) {
        Objects.requireNonNull(check, "check");
        try {
            return Optional.ofNullable(check.get());
        } catch (ConfigException problem) {
            add(problem);
        } catch (ConfigValidationException validation) {
            validation.problems().forEach(this::add);
        }
        return Optional.empty();
    }

    /** Returns whether no problem was recorded. */
    public boolean isEmpty() {
        return problems.isEmpty();
    }

    /** Returns the recorded problems sorted by file, line and column (in recording order where those tie). */
    public List<ConfigException> problems() {
        return List.copyOf(sorted(problems));
    }

    /** Throws a {@link ConfigValidationException} with every recorded problem, if there is one. */
    public void throwIfAny() {
        if (!problems.isEmpty()) {
            throw new ConfigValidationException(problems);
        }
    }

    /**
     * Throws the first recorded problem in file order with the others suppressed in it, if there is one; for
     * callers whose contract is to throw a single {@link ConfigException}.
     */
    void throwFirstIfAny() {
        if (problems.isEmpty()) {
            return;
        }
        List<ConfigException> ordered = sorted(problems);
        ConfigException first = ordered.get(0);
        for (ConfigException further : ordered.subList(1, ordered.size())) {
            first.addSuppressed(further);
        }
        throw first;
    }

    static List<ConfigException> sorted(List<ConfigException> problems) {
        List<ConfigException> copy = new ArrayList<>(problems);
        copy.sort(BY_POSITION);
        return copy;
    }
}
