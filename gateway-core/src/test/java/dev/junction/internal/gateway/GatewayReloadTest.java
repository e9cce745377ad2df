package dev.junction.internal.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.spi.route.Route;
import dev.junction.testplugins.FixturePlugin.FixtureListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloads against the class-path {@code fixture} plugin, whose listeners record what the host did to them. */
class GatewayReloadTest {

    @TempDir
    Path directory;

    private Gateway gateway;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.shutdown().await(30, TimeUnit.SECONDS);
        }
    }

    private static String config(String runtime, String... listeners) {
        StringBuilder yaml = new StringBuilder("admin: {address: 127.0.0.1:0}\n").append("runtime: {").append(runtime)
                .append("}\nlisteners:\n");
        for (String listener : listeners) {
            yaml.append(listener);
        }
        return yaml.append("""
                upstreams:
                  backend:
                    protocol: fixture
                    endpoints: [127.0.0.1:7001]
                """).toString();
    }

    private static String listener(String name, int port, String options, String filters) {
        return """
                  %s:
                    protocol: fixture
                    address: 127.0.0.1:%d
                    options: {%s}
                    routes:
                      - filters: [%s]
                        action: {forward: {upstream: backend}}
                """.formatted(name, port, options, filters);
    }

    private FixtureListener listener(String name) {
        return (FixtureListener) gateway.listener(name);
    }

    @Test
    void unchangedListenersKeepTheirInstanceAndGetNewRoutesWhileChangedAndRemovedOnesStop() throws Exception {
        Path file = directory.resolve("junction.yaml");
        Files.writeString(file, config("drain-timeout: 1s",
                listener("kept", 7100, "", ""), listener("changed", 7101, "", ""), listener("removed", 7102, "", "")));
        gateway = Gateway.start(file, Optional.empty(), Map.of()).await(30, TimeUnit.SECONDS);
        FixtureListener kept = listener("kept");
        FixtureListener changed = listener("changed");
        FixtureListener removed = listener("removed");
        assertThat(kept.isStarted()).isTrue();

        Files.writeString(file, config("drain-timeout: 1s",
                listener("kept", 7100, "", "{first: {}}"), listener("changed", 7101, "greeting: hi", ""),
                listener("added", 7103, "", "")));
        gateway.reload("test").await(30, TimeUnit.SECONDS);

        assertThat(listener("kept")).as("same instance: socket and connections kept").isSameAs(kept);
        assertThat(kept.isStopped()).isFalse();
        assertThat(kept.installedRoutes()).singleElement().extracting(Route::filters)
                .satisfies(chain -> assertThat(chain.names()).containsExactly("first"));
        assertThat(listener("changed")).isNotSameAs(changed);
        assertThat(listener("changed").isStarted()).isTrue();
        assertThat(changed.isStopped()).isTrue();
        assertThat(removed.isStopped()).isTrue();
        assertThat(gateway.listener("removed")).isNull();
        assertThat(listener("added").isStarted()).isTrue();
    }

    @Test
    void aReloadThatFailsValidationLeavesEverythingAsItWas() throws Exception {
        Path file = directory.resolve("junction.yaml");
        Files.writeString(file, config("drain-timeout: 1s", listener("kept", 7100, "", "")));
        gateway = Gateway.start(file, Optional.empty(), Map.of()).await(30, TimeUnit.SECONDS);
        FixtureListener kept = listener("kept");

        Files.writeString(file, config("drain-timeout: 1s", listener("kept", 7100, "greting: typo", "{first: {}}")));
        assertThatThrownBy(() -> gateway.reload("test").await(30, TimeUnit.SECONDS))
                .hasMessageContaining("listeners.kept.options.greting: unknown key (did you mean 'greeting'?)");

        assertThat(listener("kept")).isSameAs(kept);
        assertThat(kept.isStopped()).isFalse();
        assertThat(kept.installedRoutes().get(0).filters().names()).isEmpty();
    }

    @Test
    void watchConfigReloadsWhenTheFileChanges() throws Exception {
        Path file = directory.resolve("junction.yaml");
        Files.writeString(file, config("watch-config: true", listener("kept", 7100, "", "")));
        gateway = Gateway.start(file, Optional.empty(), Map.of()).await(30, TimeUnit.SECONDS);
        FixtureListener kept = listener("kept");

        Files.writeString(file, config("watch-config: true", listener("kept", 7100, "", "{first: {}}")));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (kept.installedRoutes().get(0).filters().names().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(kept.installedRoutes().get(0).filters().names()).containsExactly("first");
        assertThat(listener("kept")).isSameAs(kept);
    }
}
