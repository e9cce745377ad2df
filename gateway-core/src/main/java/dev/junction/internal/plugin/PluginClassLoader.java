package dev.junction.internal.plugin;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The class loader of one plugin folder (Trino's model): its parent is the platform loader, so the plugin sees the
 * JDK and its own jars; the SPI, Vert.x, Netty and Micrometer come from the host so their types are identical on
 * both sides. Everything else a plugin bundles stays private to it, so two plugins may use two versions of one
 * library.
 */
final class PluginClassLoader extends URLClassLoader {

    /** Package prefixes shared with the host, loaded host-first. */
    static final List<String> SHARED_PACKAGES = List.of(
            "dev.junction.spi.", "io.vertx.", "io.netty.", "io.micrometer.", "com.fasterxml.jackson.core.");

    /** Which plugin defined a class, by class name; lets the event-loop watchdog name a plugin from a stack. */
    static final Map<String, String> DEFINED_BY = new ConcurrentHashMap<>();

    static {
        registerAsParallelCapable();
    }

    private final String folderName;
    private final ClassLoader host;

    PluginClassLoader(String folderName, List<Path> jars, ClassLoader host) {
        super("plugin-" + folderName, urls(jars), ClassLoader.getPlatformClassLoader());
        this.folderName = folderName;
        this.host = host;
    }

    private static URL[] urls(List<Path> jars) {
        return jars.stream().map(jar -> {
            try {
                return jar.toUri().toURL();
            } catch (java.net.MalformedURLException e) {
                throw new IllegalArgumentException("plugin jar: " + jar, e);
            }
        }).toArray(URL[]::new);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (isShared(name)) {
            return host.loadClass(name);
        }
        return super.loadClass(name, resolve);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        Class<?> type = super.findClass(name);
        DEFINED_BY.put(name, folderName);
        return type;
    }

    @Override
    public URL getResource(String name) {
        if (isSharedResource(name)) {
            return host.getResource(name);
        }
        return super.getResource(name);
    }

    static boolean isShared(String className) {
        for (String prefix : SHARED_PACKAGES) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isSharedResource(String resource) {
        return resource.endsWith(".class") && isShared(resource.replace('/', '.'));
    }
}
