package dev.junction.internal.plugin;

import dev.junction.spi.Plugin;
import dev.junction.spi.SpiVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Finds plugins on the host's class path and in {@code plugins/<name>/} folders, one class loader per folder.
 * A folder that fails to load, a plugin built for an incompatible SPI and a second plugin claiming a taken name are
 * reported as problems naming the jars; the other plugins still load.
 */
public final class PluginScanner {

    private PluginScanner() {
    }

    /** The outcome of a scan: the plugins that loaded and one message per problem. */
    public record Result(List<LoadedPlugin> plugins, List<String> problems) {
    }

    /**
     * Scans the host's class path, then each folder under {@code pluginsDirectory} (when it exists) in name order.
     */
    public static Result scan(Optional<Path> pluginsDirectory, ClassLoader host) {
        Map<String, LoadedPlugin> byName = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        load(ServiceLoader.load(Plugin.class, host), Optional.empty(), List.of(), host, byName, problems);
        if (pluginsDirectory.isPresent() && Files.isDirectory(pluginsDirectory.get())) {
            for (Path folder : folders(pluginsDirectory.get(), problems)) {
                List<Path> jars = jars(folder, problems);
                if (jars.isEmpty()) {
                    problems.add("plugin folder " + folder + " holds no jar; skipped");
                    continue;
                }
                PluginClassLoader loader = new PluginClassLoader(folder.getFileName().toString(), jars, host);
                int before = byName.size();
                load(ServiceLoader.load(Plugin.class, loader), Optional.of(folder), jars, loader, byName, problems);
                if (byName.size() == before && problems.stream().noneMatch(p -> p.contains(folder.toString()))) {
                    problems.add("plugin folder " + folder + ": no jar declares META-INF/services/"
                            + Plugin.class.getName() + " (jars: " + names(jars) + ")");
                }
            }
        }
        return new Result(List.copyOf(byName.values()), List.copyOf(problems));
    }

    private static void load(ServiceLoader<Plugin> loader, Optional<Path> folder, List<Path> jars, ClassLoader classLoader,
            Map<String, LoadedPlugin> byName, List<String> problems) {
        String origin = folder.map(f -> f + " (jars: " + names(jars) + ")").orElse("the class path");
        var iterator = loader.iterator();
        while (true) {
            Plugin plugin;
            try {
                if (!iterator.hasNext()) {
                    return;
                }
                plugin = iterator.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                problems.add("plugin in " + origin + " failed to load: " + rootMessage(e));
                if (e instanceof ServiceConfigurationError) {
                    continue;
                }
                return;
            }
            String name;
            String spiVersion;
            try {
                name = plugin.name();
                spiVersion = plugin.spiVersion();
            } catch (RuntimeException | LinkageError e) {
                problems.add("plugin " + plugin.getClass().getName() + " in " + origin + " failed: " + rootMessage(e));
                continue;
            }
            if (name == null || !name.matches("[a-z][a-z0-9-]*")) {
                problems.add("plugin " + plugin.getClass().getName() + " in " + origin + " has an invalid name '" + name
                        + "' (expected: lower case letters, digits and dashes)");
                continue;
            }
            boolean compatible;
            try {
                compatible = SpiVersion.isCompatible(SpiVersion.CURRENT, spiVersion);
            } catch (IllegalArgumentException e) {
                compatible = false;
            }
            if (!compatible) {
                problems.add("plugin '" + name + "' in " + origin + " was built for SPI " + spiVersion
                        + "; this gateway offers SPI " + SpiVersion.CURRENT + " (compatible: " + SpiVersion.CURRENT.split("\\.")[0]
                        + ".0 to " + SpiVersion.CURRENT + "); not loaded");
                continue;
            }
            LoadedPlugin existing = byName.get(name);
            if (existing != null) {
                problems.add("plugin name '" + name + "' is claimed twice: by " + existing.origin()
                        + (existing.jars().isEmpty() ? "" : " (jars: " + names(existing.jars()) + ")") + " and by " + origin
                        + "; the second was not loaded");
                continue;
            }
            byName.put(name, new LoadedPlugin(plugin, folder, jars, classLoader));
        }
    }

    private static List<Path> folders(Path directory, List<String> problems) {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(Files::isDirectory).sorted(Comparator.comparing(Path::getFileName)).toList();
        } catch (IOException e) {
            problems.add("cannot list plugin folder " + directory + ": " + e.getMessage());
            return List.of();
        }
    }

    private static List<Path> jars(Path folder, List<String> problems) {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(p -> p.getFileName().toString().endsWith(".jar"))
                    .sorted(Comparator.comparing(Path::getFileName)).toList();
        } catch (IOException e) {
            problems.add("cannot list plugin folder " + folder + ": " + e.getMessage());
            return List.of();
        }
    }

    private static String names(List<Path> jars) {
        return String.join(", ", jars.stream().map(j -> j.getFileName().toString()).toList());
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = e.getMessage();
        return root == e ? String.valueOf(message) : message + " (caused by " + root + ")";
    }

    /** Returns the folder name of the plugin that defined {@code className}, if a plugin loader did. */
    public static Optional<String> definingPlugin(String className) {
        return Optional.ofNullable(PluginClassLoader.DEFINED_BY.get(className));
    }
}
