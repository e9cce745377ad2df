package dev.junction.internal.config;

import dev.junction.spi.config.ConfigException;
import dev.junction.spi.config.ConfigLocation;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads the gateway's YAML configuration into a {@link YamlConfigNode} tree whose every value knows its file, line,
 * column and key path, replacing {@code ${NAME}} and {@code ${NAME:-fallback}} in scalar values by environment
 * variables.
 *
 * <p>Scalars resolve by the YAML 1.2 core schema ({@code yes} is a string, {@code true} a boolean). An empty file is
 * an empty mapping. YAML syntax errors, duplicate keys, non-scalar keys and unset variables fail with a
 * {@link ConfigException} for the first problem in the file; further ones are
 * {@linkplain Throwable#getSuppressed() suppressed} in it, where {@link ConfigProblems} finds them.
 *
 * <pre>{@code
 * YamlConfigNode root = ConfigLoader.load(Path.of("conf/junction.yaml"), System.getenv());
 * }</pre>
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /** Reads and parses {@code file}, naming it in errors as given. */
    public static YamlConfigNode load(Path file, Map<String, String> environment) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(environment, "environment");
        String fileName = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException notFound) {
            throw new ConfigException(new ConfigLocation(fileName, 0, 0), "", "file not found");
        } catch (CharacterCodingException notUtf8) {
            throw new ConfigException(new ConfigLocation(fileName, 0, 0), "", "not valid UTF-8");
        } catch (IOException unreadable) {
            throw new ConfigException(new ConfigLocation(fileName, 0, 0), "", "cannot read (" + unreadable + ")");
        }
        return parse(fileName, text, environment);
    }

    /** Parses {@code yamlText}, naming {@code fileName} in errors. */
    public static YamlConfigNode parse(String fileName, String yamlText, Map<String, String> environment) {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(yamlText, "yamlText");
        Objects.requireNonNull(environment, "environment");
        CoreSchema schema = new CoreSchema();
        LoadSettings settings = LoadSettings.builder().setLabel(fileName).setSchema(schema).setUseMarks(true).build();
        Optional<Node> document;
        try {
            document = new Compose(settings).composeString(yamlText);
        } catch (MarkedYamlEngineException syntax) {
            throw syntaxError(fileName, yamlText, syntax);
        } catch (YamlEngineException unreadable) {
            throw new ConfigException(new ConfigLocation(fileName, 0, 0), "", "invalid YAML: "
                    + unreadable.getMessage());
        }
        TreeBuilder builder = new TreeBuilder(fileName, environment, schema.getScalarResolver());
        YamlConfigNode root = document
                .filter(node -> !node.getTag().equals(Tag.NULL))
                .map(node -> builder.build(node, "", null))
                .orElseGet(() -> YamlConfigNode.mapping("", new ConfigLocation(fileName, 1, 1), Map.of(), Map.of()));
        builder.problems.throwFirstIfAny();
        return root;
    }

    private static ConfigException syntaxError(String fileName, String yamlText, MarkedYamlEngineException syntax) {
        Optional<Mark> mark = syntax.getProblemMark().or(syntax::getContextMark);
        ConfigLocation location = mark.map(at -> location(fileName, at)).orElse(new ConfigLocation(fileName, 0, 0));
        StringBuilder detail = new StringBuilder("invalid YAML: ").append(syntax.getProblem());
        if (syntax.getContext() != null && syntax.getContextMark().isPresent()
                && syntax.getProblemMark().isPresent()) {
            Mark context = syntax.getContextMark().get();
            detail.append(" (").append(syntax.getContext()).append(" at line ").append(context.getLine() + 1)
                    .append(", column ").append(context.getColumn() + 1).append(')');
            // Braces end a plain scalar inside [...] and {...}, so an unquoted ${NAME} there breaks the syntax in a
            // way the parser's own message does not explain.
            String line = yamlText.lines().skip(syntax.getProblemMark().get().getLine()).findFirst().orElse("");
            if (syntax.getContext().contains("flow") && line.contains("${")) {
                detail.append("; quote values holding ${...} inside [...] or {...}");
            }
        }
        return new ConfigException(location, "", detail.toString());
    }

    private static ConfigLocation location(String fileName, Mark mark) {
        return new ConfigLocation(fileName, mark.getLine() + 1, mark.getColumn() + 1);
    }

    /** Turns the composed YAML nodes into configuration nodes, collecting every problem on the way. */
    private static final class TreeBuilder {

        private final String fileName;
        private final Map<String, String> environment;
        private final ScalarResolver resolver;
        private final ConfigProblems problems = new ConfigProblems();
        // Aliases may point back at an enclosing node; following one would never end.
        private final Set<Node> inProgress = Collections.newSetFromMap(new IdentityHashMap<>());

        TreeBuilder(String fileName, Map<String, String> environment, ScalarResolver resolver) {
            this.fileName = fileName;
            this.environment = environment;
            this.resolver = resolver;
        }

        /**
         * Builds the node at {@code path}; {@code keyLocation} is where its key was written, which is where a null
         * value is reported since an empty value has no useful position of its own.
         */
        YamlConfigNode build(Node node, String path, ConfigLocation keyLocation) {
            ConfigLocation location = node.getStartMark().map(mark -> location(fileName, mark))
                    .orElse(new ConfigLocation(fileName, 0, 0));
            if (!inProgress.add(node)) {
                problems.add(new ConfigException(location, path, "recursive alias (expected: a finite value)"));
                return YamlConfigNode.missing(path, location);
            }
            try {
                if (node instanceof MappingNode mapping) {
                    return buildMapping(mapping, path, location);
                }
                if (node instanceof SequenceNode sequence) {
                    List<YamlConfigNode> elements = new ArrayList<>(sequence.getValue().size());
                    for (Node element : sequence.getValue()) {
                        elements.add(build(element, YamlConfigNode.elementPath(path, elements.size()), null));
                    }
                    return YamlConfigNode.list(path, location, elements);
                }
                return buildScalar((ScalarNode) node, path, keyLocation != null ? keyLocation : location, location);
            } finally {
                inProgress.remove(node);
            }
        }

        private YamlConfigNode buildMapping(MappingNode mapping, String path, ConfigLocation location) {
            Map<String, YamlConfigNode> entries = new LinkedHashMap<>();
            Map<String, ConfigLocation> keyLocations = new LinkedHashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                Node keyNode = tuple.getKeyNode();
                ConfigLocation keyLocation = keyNode.getStartMark().map(mark -> location(fileName, mark))
                        .orElse(location);
                if (!(keyNode instanceof ScalarNode keyScalar)) {
                    String kind = keyNode instanceof MappingNode ? "a mapping" : "a list";
                    problems.add(new ConfigException(keyLocation, path, kind + " as a key (expected: a name)"));
                    continue;
                }
                String key = keyScalar.getValue();
                String childPath = YamlConfigNode.childPath(path, key);
                ConfigLocation first = keyLocations.get(key);
                if (first != null) {
                    problems.add(new ConfigException(keyLocation, childPath, "duplicate key (first written at line "
                            + first.line() + ", column " + first.column() + ")"));
                    continue;
                }
                keyLocations.put(key, keyLocation);
                entries.put(key, build(tuple.getValueNode(), childPath, keyLocation));
            }
            return YamlConfigNode.mapping(path, location, entries, keyLocations);
        }

        private YamlConfigNode buildScalar(ScalarNode scalar, String path, ConfigLocation nullLocation,
                ConfigLocation location) {
            if (scalar.getTag().equals(Tag.NULL)) {
                return YamlConfigNode.missing(path, nullLocation);
            }
            Interpolation.Result interpolated;
            try {
                interpolated = Interpolation.apply(scalar.getValue(), environment, location, path);
            } catch (ConfigException unset) {
                problems.add(unset);
                interpolated = new Interpolation.Result(scalar.getValue(), false);
            }
            Tag tag = scalar.getTag();
            if (scalar.isPlain() && !interpolated.value().equals(scalar.getValue())) {
                // A plain scalar is typed by its text, so type the text the environment filled in; an empty
                // substitution stays an empty string rather than becoming null.
                tag = resolver.resolve(interpolated.value(), true);
                if (tag.equals(Tag.NULL)) {
                    tag = Tag.STR;
                }
            }
            return YamlConfigNode.scalar(path, location, interpolated.value(), type(tag),
                    interpolated.fromEnvironment());
        }

        private static Scalars.Type type(Tag tag) {
            if (tag.equals(Tag.INT)) {
                return Scalars.Type.INTEGER;
            }
            if (tag.equals(Tag.FLOAT)) {
                return Scalars.Type.FLOAT;
            }
            if (tag.equals(Tag.BOOL)) {
                return Scalars.Type.BOOLEAN;
            }
            return Scalars.Type.STRING;
        }
    }
}
