package dev.junction.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.Main;
import dev.junction.spi.Plugin;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The three tiers of packages: a public or protected signature of the SPI or of the public API must never mention
 * an {@code internal} type, so plugins and embedders cannot come to depend on what may change at any time.
 */
class ApiBoundaryTest {

    @Test
    void spiSignaturesMentionNoInternalType() throws Exception {
        List<Class<?>> spi = classesUnder(Plugin.class, "dev/junction/spi/");
        assertThat(spi).hasSizeGreaterThan(20);
        assertThat(leaks(spi)).isEmpty();
    }

    @Test
    void spiDependsOnNothingOfTheCore() throws Exception {
        for (Class<?> type : classesUnder(Plugin.class, "dev/junction/spi/")) {
            assertThat(type.getName()).startsWith("dev.junction.spi.");
            assertThat(referencedTypes(type)).noneMatch(name -> name.startsWith("dev.junction.")
                    && !name.startsWith("dev.junction.spi."));
        }
    }

    @Test
    void publicApiSignaturesMentionNoInternalType() throws Exception {
        List<Class<?>> api = classesUnder(Main.class, "dev/junction/").stream()
                .filter(c -> !c.getName().startsWith("dev.junction.internal.") && !c.getName().startsWith("dev.junction.spi."))
                .toList();
        assertThat(api).contains(Main.class);
        assertThat(leaks(api)).isEmpty();
    }

    private static List<String> leaks(List<Class<?>> types) {
        List<String> leaks = new ArrayList<>();
        for (Class<?> type : types) {
            if (!Modifier.isPublic(type.getModifiers())) {
                continue;
            }
            for (Method method : type.getDeclaredMethods()) {
                if (visible(method.getModifiers()) && !method.isSynthetic()) {
                    check(leaks, type.getName() + "." + method.getName(), method.getGenericReturnType());
                    for (Type parameter : method.getGenericParameterTypes()) {
                        check(leaks, type.getName() + "." + method.getName(), parameter);
                    }
                }
            }
            for (Constructor<?> constructor : type.getDeclaredConstructors()) {
                if (visible(constructor.getModifiers())) {
                    for (Type parameter : constructor.getGenericParameterTypes()) {
                        check(leaks, type.getName() + ".<init>", parameter);
                    }
                }
            }
            for (Field field : type.getDeclaredFields()) {
                if (visible(field.getModifiers())) {
                    check(leaks, type.getName() + "." + field.getName(), field.getGenericType());
                }
            }
            if (type.getSuperclass() != null) {
                check(leaks, type.getName() + " extends", type.getGenericSuperclass());
            }
            for (Type parent : type.getGenericInterfaces()) {
                check(leaks, type.getName() + " implements", parent);
            }
        }
        return leaks;
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void check(List<String> leaks, String where, Type type) {
        if (type.getTypeName().contains("dev.junction.internal.")) {
            leaks.add(where + " mentions " + type.getTypeName());
        }
    }

    private static List<String> referencedTypes(Class<?> type) {
        List<String> names = new ArrayList<>();
        for (Method method : type.getDeclaredMethods()) {
            names.add(method.getGenericReturnType().getTypeName());
            for (Type parameter : method.getGenericParameterTypes()) {
                names.add(parameter.getTypeName());
            }
        }
        for (Field field : type.getDeclaredFields()) {
            names.add(field.getGenericType().getTypeName());
        }
        return names;
    }

    /** Loads every class in the jar or folder that holds {@code anchor}, under {@code prefix}. */
    private static List<Class<?>> classesUnder(Class<?> anchor, String prefix) throws IOException, URISyntaxException {
        Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Class<?>> classes = new ArrayList<>();
        if (Files.isDirectory(location)) {
            collect(location, prefix, classes);
        } else {
            try (FileSystem jar = FileSystems.newFileSystem(location, Map.of())) {
                collect(jar.getPath("/"), prefix, classes);
            }
        }
        return classes;
    }

    private static void collect(Path root, String prefix, List<Class<?>> classes) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String relative = root.relativize(file).toString().replace('\\', '/');
                if (!relative.startsWith(prefix) || relative.endsWith("package-info.class")) {
                    continue;
                }
                String name = relative.substring(0, relative.length() - ".class".length()).replace('/', '.');
                try {
                    classes.add(Class.forName(name, false, ApiBoundaryTest.class.getClassLoader()));
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException(name, e);
                }
            }
        }
    }
}
