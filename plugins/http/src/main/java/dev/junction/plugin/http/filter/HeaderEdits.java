package dev.junction.plugin.http.filter;

import dev.junction.plugin.http.Config;
import dev.junction.spi.config.ConfigNode;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Map;

/**
 * Header changes read from {@code set}, {@code add} and {@code remove}, applied in that order of precedence:
 * {@code remove} first, then {@code set} (replacing every value), then {@code add} (one more value).
 */
record HeaderEdits(Map<String, String> set, Map<String, String> add, List<String> remove) {

    /** Reads the options of a {@code request-headers} or {@code response-headers} filter. */
    static HeaderEdits parse(ConfigNode config, boolean request) {
        Config.mapping(config, "set", "add", "remove");
        HeaderEdits edits = new HeaderEdits(Config.headerMap(config.get("set")),
                Config.headerMap(config.get("add")), Config.headerNames(config.get("remove")));
        if (edits.set.isEmpty() && edits.add.isEmpty() && edits.remove.isEmpty()) {
            throw config.error("no changes (expected: at least one of set, add, remove)");
        }
        if (request) {
            for (String key : List.of("set", "add", "remove")) {
                ConfigNode node = config.get(key);
                for (String name : key.equals("remove") ? edits.remove : (key.equals("set") ? edits.set : edits.add).keySet()) {
                    if (name.equals("host") || name.equals("content-length") || name.equals("transfer-encoding")) {
                        throw node.error(name + " (expected: a header other than host, content-length and "
                                + "transfer-encoding, which the listener and the proxy own)");
                    }
                }
            }
        }
        return edits;
    }

    void apply(MultiMap headers) {
        for (String name : remove) {
            headers.remove(name);
        }
        for (Map.Entry<String, String> entry : set.entrySet()) {
            headers.set(entry.getKey(), entry.getValue());
        }
        for (Map.Entry<String, String> entry : add.entrySet()) {
            headers.add(entry.getKey(), entry.getValue());
        }
    }
}
