package dev.junction.plugin.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads samples from a gateway's admin {@code /metrics} (Prometheus text format). */
final class RoutingMetrics {

    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private RoutingMetrics() {
    }

    static String scrape(int adminPort) {
        try {
            // A client per scrape, on HTTP/1.1: no connection is kept between gateways whose ports may be reused.
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + adminPort + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError("/metrics answered " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Returns the sum of the samples of {@code name} whose labels include all of {@code labels}, or {@code -1} when
     * no sample matches.
     */
    static double value(String scrape, String name, Map<String, String> labels) {
        double sum = 0;
        boolean found = false;
        for (String line : scrape.split("\n")) {
            if (line.startsWith("#") || !line.startsWith(name + "{")) {
                continue;
            }
            int close = line.lastIndexOf('}');
            Map<String, String> present = new HashMap<>();
            Matcher matcher = LABEL.matcher(line.substring(name.length() + 1, close));
            while (matcher.find()) {
                present.put(matcher.group(1), matcher.group(2));
            }
            if (present.entrySet().containsAll(labels.entrySet())) {
                found = true;
                sum += Double.parseDouble(line.substring(close + 1).trim().split(" ")[0]);
            }
        }
        return found ? sum : -1;
    }

    static double value(int adminPort, String name, Map<String, String> labels) {
        return value(scrape(adminPort), name, labels);
    }
}
