package dev.junction.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** bin/junction validate and plugins, as an operator runs them. */
class CommandLineIT extends GatewayTest {

    @Test
    void validateAcceptsEveryShippedConfig() throws Exception {
        Files.createDirectories(home.resolve("plugins/echo"));
        Files.copy(JunctionHome.echoPluginJar(), home.resolve("plugins/echo/junction-example-echo-plugin.jar"));
        for (String file : List.of("conf/junction.yaml", "examples/tcp-proxy.yaml", "examples/udp-proxy.yaml",
                "examples/echo-plugin.yaml")) {
            Path config = home.resolve(file);
            CommandResult result = home.command("validate", "-c", config.toString());
            assertThat(result.exitCode()).as(file + ": " + result).isZero();
            assertThat(result.output()).as(result.toString()).contains(config + ": OK");
        }
    }

    @Test
    void validateReportsFileLineColumnAndKeyPath() {
        String example = tcpProxyExample(TcpProxyPorts.free());

        // A misspelt key: reported at the key.
        String misspelt = replaceAll(example, Map.of("    address: 127.0.0.1:", "    adress: 127.0.0.1:"));
        assertReports("misspelt-key.yaml", misspelt, "    adress:", 4, "listeners.tcp-in.adress");

        // A wrong type: reported at the value.
        String wrongType = replaceAll(example, Map.of("      idle-timeout: 10m\n", "      idle-timeout: ten minutes\n"));
        assertReports("wrong-type.yaml", wrongType, "      idle-timeout: ten minutes", 20,
                "listeners.tcp-in.options.idle-timeout");

        // A dangling upstream name: reported at the value.
        String dangling = replaceAll(example, Map.of("            upstream: backend\n", "            upstream: bakend\n"));
        assertReports("dangling-upstream.yaml", dangling, "            upstream: bakend", 22,
                "listeners.tcp-in.routes[0].action.proxy.upstream");
    }

    @Test
    void pluginsListsTcpAndRemovingItsFolderRemovesIt() throws Exception {
        CommandResult listed = home.command("plugins");
        assertThat(listed.exitCode()).as(listed.toString()).isZero();
        assertThat(listed.stdout().lines()).as(listed.toString())
                .anyMatch(line -> firstWord(line).equals("tcp") && line.contains("0.1.0"));

        JunctionHome.deleteRecursively(home.resolve("plugins/tcp"));

        CommandResult without = home.command("plugins");
        assertThat(without.exitCode()).as(without.toString()).isZero();
        assertThat(without.stdout().lines()).as(without.toString()).noneMatch(line -> firstWord(line).equals("tcp"));

        Path config = home.writeConfig("tcp-proxy.yaml", tcpProxyExample(TcpProxyPorts.free()));
        CommandResult validation = home.command("validate", "-c", config.toString());
        assertThat(validation.exitCode()).as(validation.toString()).isEqualTo(2);
        assertThat(validation.stderr().lines()).as(validation.toString())
                .anyMatch(line -> line.startsWith(config + ":")
                        && line.contains("listeners.tcp-in.protocol")
                        && line.matches(".*\\btcp\\b.*(plugin|loaded).*|.*(plugin|loaded).*\\btcp\\b.*"));
    }

    private void assertReports(String fileName, String text, String lineText, int column, String keyPath) {
        Path file = home.writeConfig(fileName, text);
        List<String> lines = text.lines().toList();
        int line = 0;
        for (int i = 0; i < lines.size() && line == 0; i++) {
            line = lines.get(i).startsWith(lineText) ? i + 1 : 0;
        }
        assertThat(line).as("line of '%s' in %s", lineText, fileName).isPositive();
        // Columns count from 1: `column` is where the key (or the value) begins.
        String expected = file + ":" + line + ":" + (column + 1) + ": " + keyPath + ":";

        CommandResult result = home.command("validate", "-c", file.toString());

        assertThat(result.exitCode()).as(fileName + ": " + result).isEqualTo(2);
        assertThat(result.stderr()).as(fileName + ": " + result).contains(expected);
    }

    private static String firstWord(String line) {
        String trimmed = line.strip();
        int end = 0;
        while (end < trimmed.length() && !Character.isWhitespace(trimmed.charAt(end)) && trimmed.charAt(end) != '|') {
            end++;
        }
        return trimmed.substring(0, end);
    }
}
