package dev.junction.internal.plugin;

import dev.junction.spi.Plugin;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A plugin found by the host: the instance, where it came from and its class loader.
 *
 * @param plugin the instance
 * @param folder the plugin folder, or empty for a plugin found on the host's class path
 * @param jars the folder's jars
 * @param classLoader the loader that defined the plugin
 */
public record LoadedPlugin(Plugin plugin, Optional<Path> folder, List<Path> jars, ClassLoader classLoader) {

    /** Returns the plugin's name. */
    public String name() {
        return plugin.name();
    }

    /** Returns where the plugin came from, for messages: its folder or {@code class path}. */
    public String origin() {
        return folder.map(Path::toString).orElse("class path");
    }
}
