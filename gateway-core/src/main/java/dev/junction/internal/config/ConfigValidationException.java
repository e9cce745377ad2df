package dev.junction.internal.config;

import dev.junction.spi.config.ConfigException;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Reports every problem found while validating a configuration, so an operator fixes them in one round.
 *
 * <p>The message holds one line per problem, sorted by file, line and column, such as
 * {@code junction.yaml:7:5: listeners.tcp-in.adress: unknown key (did you mean 'address'?)}. Collect the
 * problems with {@link ConfigProblems}.
 */
public final class ConfigValidationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<ConfigException> problems;

    /** Creates an exception for {@code problems}, which must not be empty. */
    public ConfigValidationException(List<ConfigException> problems) {
        super(format(problems));
        this.problems = List.copyOf(ConfigProblems.sorted(problems));
    }

    private static String format(List<ConfigException> problems) {
        Objects.requireNonNull(problems, "problems");
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("problems: [] (expected: at least one problem)");
        }
        return ConfigProblems.sorted(problems).stream().map(ConfigException::getMessage)
                .collect(Collectors.joining("\n"));
    }

    /** Returns the problems, sorted by file, line and column. */
    public List<ConfigException> problems() {
        return problems;
    }
}
