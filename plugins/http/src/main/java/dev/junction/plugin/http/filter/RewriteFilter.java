package dev.junction.plugin.http.filter;

import dev.junction.plugin.http.Config;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.http.HttpExchange;
import dev.junction.spi.http.HttpFilter;
import io.vertx.core.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code rewrite} filter: changes the path forwarded upstream by {@code strip-prefix}, then {@code regex}, then
 * {@code add-prefix}. The query string is left as it is.
 */
final class RewriteFilter implements HttpFilter {

    private static final Future<FilterDecision> PROCEED = Future.succeededFuture(FilterDecision.proceed());

    private final String stripPrefix;
    private final Pattern pattern;
    private final String replacement;
    private final String addPrefix;

    RewriteFilter(String stripPrefix, Pattern pattern, String replacement, String addPrefix) {
        this.stripPrefix = stripPrefix;
        this.pattern = pattern;
        this.replacement = replacement;
        this.addPrefix = addPrefix;
    }

    static DefinedFilterFactory factory() {
        return DefinedFilterFactory.async("rewrite", (config, plugin) -> create(config));
    }

    static RewriteFilter create(ConfigNode config) {
        Config.mapping(config, "strip-prefix", "add-prefix", "regex");
        String strip = prefix(config.get("strip-prefix"));
        String add = prefix(config.get("add-prefix"));
        Pattern pattern = null;
        String replacement = null;
        ConfigNode regex = config.get("regex");
        if (!regex.isMissing()) {
            Config.mapping(regex, "pattern", "replacement");
            ConfigNode patternNode = regex.get("pattern");
            try {
                pattern = Pattern.compile(patternNode.asString());
            } catch (PatternSyntaxException e) {
                throw patternNode.error('"' + patternNode.asString() + "\" (expected: a Java regular expression; "
                        + e.getDescription() + ')');
            }
            ConfigNode replacementNode = regex.get("replacement");
            replacement = replacementNode.asString();
            try {
                pattern.matcher("").replaceFirst(replacement);
                checkGroups(replacementNode, replacement, pattern.matcher("").groupCount());
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                throw replacementNode.error('"' + replacement + "\" (expected: a replacement whose $n refer to groups of "
                        + "the pattern; " + e.getMessage() + ')');
            }
        }
        if (strip == null && add == null && pattern == null) {
            throw config.error("no change (expected: at least one of strip-prefix, add-prefix, regex)");
        }
        return new RewriteFilter(strip, pattern, replacement, add);
    }

    private static void checkGroups(ConfigNode node, String replacement, int groups) {
        for (int i = 0; i < replacement.length() - 1; i++) {
            char c = replacement.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '$' && Character.isDigit(replacement.charAt(i + 1))
                    && replacement.charAt(i + 1) - '0' > groups) {
                throw new IllegalArgumentException("the pattern has " + groups + " group(s)");
            }
        }
    }

    private static String prefix(ConfigNode node) {
        if (node.isMissing()) {
            return null;
        }
        String value = node.asString();
        if (!value.startsWith("/") || value.contains("?") || value.contains("#") || value.contains("//")) {
            throw node.error('"' + value + "\" (expected: a path prefix such as /api, starting with /)");
        }
        return value.length() > 1 && value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }

    @Override
    public Future<FilterDecision> onRequest(HttpExchange exchange) {
        String path = exchange.path();
        String rewritten = rewrite(path);
        if (!rewritten.equals(path)) {
            exchange.path(rewritten);
        }
        return PROCEED;
    }

    /** Returns {@code path} rewritten; always starts with {@code /}. */
    String rewrite(String path) {
        String result = path;
        if (stripPrefix != null && !stripPrefix.equals("/")) {
            if (result.equals(stripPrefix)) {
                result = "/";
            } else if (result.startsWith(stripPrefix) && result.charAt(stripPrefix.length()) == '/') {
                result = result.substring(stripPrefix.length());
            }
        }
        if (pattern != null) {
            Matcher matcher = pattern.matcher(result);
            if (matcher.find()) {
                result = matcher.replaceFirst(replacement);
            }
        }
        if (addPrefix != null && !addPrefix.equals("/")) {
            result = result.equals("/") ? addPrefix + "/" : addPrefix + result;
        }
        if (!result.startsWith("/")) {
            result = "/" + result;
        }
        return result;
    }
}
