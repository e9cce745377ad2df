package dev.junction.internal.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.spi.Plugin;
import dev.junction.testplugins.FuturePlugin;
import dev.junction.testplugins.GoodPlugin;
import dev.junction.testplugins.ImpostorPlugin;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginScannerTest {

    @TempDir
    Path plugins;

    /** Packages one compiled test class and a service file naming {@code serviceClass} into {@code folder/jar}. */
    private Path jar(String folder, String jarName, Class<?> type, String serviceClass) throws IOException, URISyntaxException {
        Path directory = Files.createDirectories(plugins.resolve(folder));
        Path jar = directory.resolve(jarName);
        String entry = type.getName().replace('.', '/') + ".class";
        Path classFile = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).resolve(entry);
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            out.putNextEntry(new JarEntry(entry));
            out.write(Files.readAllBytes(classFile));
            out.closeEntry();
            out.putNextEntry(new JarEntry("META-INF/services/" + Plugin.class.getName()));
            out.write((serviceClass + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    @Test
    void eachFolderGetsItsOwnClassLoaderSharingOnlyTheSpi() throws Exception {
        jar("good", "good-1.0.jar", GoodPlugin.class, GoodPlugin.class.getName());
        PluginScanner.Result result = PluginScanner.scan(Optional.of(plugins), getClass().getClassLoader());
        LoadedPlugin good = result.plugins().stream().filter(p -> p.name().equals("good")).findFirst().orElseThrow();
        assertThat(good.classLoader()).isInstanceOf(PluginClassLoader.class);
        assertThat(good.plugin().getClass()).as("loaded from the jar, not the host class path")
                .isNotSameAs(GoodPlugin.class);
        assertThat(good.plugin().getClass().getClassLoader()).isSameAs(good.classLoader());
        assertThat(good.classLoader().loadClass(Plugin.class.getName())).as("the SPI is shared").isSameAs(Plugin.class);
        assertThat(good.classLoader().getParent()).isSameAs(ClassLoader.getPlatformClassLoader());
        assertThat(good.origin()).endsWith("good");
        assertThat(result.problems()).isEmpty();
    }

    @Test
    void incompatibleSpiDuplicateNamesAndBrokenJarsAreReportedWhileOthersLoad() throws Exception {
        jar("a-good", "good-1.0.jar", GoodPlugin.class, GoodPlugin.class.getName());
        jar("b-future", "future-9.0.jar", FuturePlugin.class, FuturePlugin.class.getName());
        jar("c-impostor", "impostor.jar", ImpostorPlugin.class, ImpostorPlugin.class.getName());
        jar("d-broken", "broken-0.1.jar", GoodPlugin.class, "dev.junction.testplugins.DoesNotExist");
        Files.createDirectories(plugins.resolve("e-empty"));

        PluginScanner.Result result = PluginScanner.scan(Optional.of(plugins), getClass().getClassLoader());

        assertThat(result.plugins()).extracting(LoadedPlugin::name).contains("good", "fixture").doesNotContain("future");
        assertThat(result.problems()).anySatisfy(p -> assertThat(p)
                .contains("plugin 'future'").contains("future-9.0.jar").contains("built for SPI 2.0")
                .contains("offers SPI 1.0"));
        assertThat(result.problems()).anySatisfy(p -> assertThat(p)
                .contains("plugin name 'good' is claimed twice").contains("good-1.0.jar").contains("impostor.jar"));
        assertThat(result.problems()).anySatisfy(p -> assertThat(p)
                .contains("broken-0.1.jar").contains("failed to load").contains("DoesNotExist"));
        assertThat(result.problems()).anySatisfy(p -> assertThat(p).contains("e-empty").contains("holds no jar"));
    }

    @Test
    void classesDefinedByAPluginAreAttributedToItsFolder() throws Exception {
        jar("good", "good-1.0.jar", GoodPlugin.class, GoodPlugin.class.getName());
        PluginScanner.scan(Optional.of(plugins), getClass().getClassLoader());
        assertThat(PluginScanner.definingPlugin(GoodPlugin.class.getName())).contains("good");
        assertThat(PluginScanner.definingPlugin(String.class.getName())).isEmpty();
    }
}
