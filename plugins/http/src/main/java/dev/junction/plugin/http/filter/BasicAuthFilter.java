package dev.junction.plugin.http.filter;

import dev.junction.plugin.http.Config;
import dev.junction.spi.ExecutionStyle;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.http.BlockingHttpFilter;
import dev.junction.spi.http.HttpExchange;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * The {@code basic-auth} filter: checks {@code Authorization: Basic} credentials against bcrypt hashes (inline or
 * from an htpasswd file) and answers 401 with {@code WWW-Authenticate} otherwise. Bcrypt is slow on purpose, so the
 * filter is blocking (it runs on a virtual thread) and remembers successful checks for {@code cache-duration}; the
 * cache holds a keyed hash of the password, never the password.
 */
final class BasicAuthFilter implements BlockingHttpFilter {

    private static final Set<String> BCRYPT_VERSIONS = Set.of("$2a$", "$2b$", "$2y$");
    /**
     * Checked for unknown users, so that the answer takes as long as for a known user with a wrong password. In a
     * holder class: computing it costs a bcrypt run, which a gateway without basic-auth should not pay at startup.
     */
    private static final class DummyHash {
        static final String VALUE = OpenBSDBCrypt.generate("2b", "unused".toCharArray(), new byte[16], 10);
    }
    private static final int MAX_CACHED = 10_000;

    private final Map<String, String> users;
    private final String challenge;
    private final boolean forwardCredentials;
    private final long cacheNanos;
    private final byte[] cacheKey = new byte[32];
    private final ConcurrentHashMap<String, CachedCheck> cache = new ConcurrentHashMap<>();
    private final FilterDecision unauthorized = FilterDecision.stop("basic-auth: unauthorized");

    private record CachedCheck(byte[] digest, long expires) {
    }

    BasicAuthFilter(Map<String, String> users, String realm, boolean forwardCredentials, Duration cacheDuration) {
        this.users = users;
        this.challenge = "Basic realm=\"" + realm + "\", charset=\"UTF-8\"";
        this.forwardCredentials = forwardCredentials;
        this.cacheNanos = cacheDuration.toNanos();
        new SecureRandom().nextBytes(cacheKey);
    }

    static DefinedFilterFactory factory() {
        return new DefinedFilterFactory("basic-auth", ExecutionStyle.BLOCKING, Set.of(), (config, plugin) -> create(config));
    }

    static BasicAuthFilter create(ConfigNode config) {
        Config.mapping(config, "realm", "users", "users-file", "forward-credentials", "cache-duration");
        ConfigNode realmNode = config.get("realm");
        String realm = realmNode.asString("restricted");
        if (realm.indexOf('"') >= 0 || realm.indexOf('\\') >= 0) {
            throw realmNode.error('"' + realm + "\" (expected: a realm without quotes or backslashes)");
        }
        Config.headerValue(realmNode, realm);
        Map<String, String> users = new LinkedHashMap<>();
        ConfigNode usersNode = config.get("users");
        if (!usersNode.isMissing()) {
            if (!usersNode.isMap()) {
                throw usersNode.error(Config.describe(usersNode) + " (expected: a mapping from user to bcrypt hash)");
            }
            for (Map.Entry<String, ConfigNode> entry : usersNode.entries().entrySet()) {
                checkUser(usersNode, entry.getKey());
                users.put(entry.getKey(), checkHash(entry.getValue(), entry.getValue().asString()));
            }
        }
        ConfigNode fileNode = config.get("users-file");
        if (!fileNode.isMissing()) {
            readHtpasswd(fileNode, users);
        }
        if (users.isEmpty()) {
            throw config.error("no users (expected: users: {name: bcrypt-hash} or users-file: an htpasswd file)");
        }
        boolean forward = config.get("forward-credentials").asBoolean(false);
        Duration cache = Config.duration(config.get("cache-duration"), Duration.ofMinutes(1), true);
        return new BasicAuthFilter(users, realm, forward, cache);
    }

    private static void readHtpasswd(ConfigNode fileNode, Map<String, String> users) {
        Path file = Path.of(fileNode.asString());
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw fileNode.error('"' + file.toString() + "\" cannot be read: " + e.getMessage()
                    + " (expected: a readable htpasswd file)");
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String where = file + " line " + (i + 1);
            if (colon <= 0) {
                throw fileNode.error(where + " (expected: user:bcrypt-hash)");
            }
            String user = line.substring(0, colon);
            checkUser(fileNode, user);
            String hash = line.substring(colon + 1);
            if (!isBcrypt(hash)) {
                throw fileNode.error(where + ": the hash of " + user + " is not bcrypt (expected: $2y$ hashes, as "
                        + "written by htpasswd -B)");
            }
            users.put(user, hash);
        }
    }

    private static void checkUser(ConfigNode node, String user) {
        if (user.isEmpty() || user.indexOf(':') >= 0 || user.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw node.error('"' + user + "\" (expected: a user name without colons or control characters)");
        }
    }

    private static String checkHash(ConfigNode node, String hash) {
        if (!isBcrypt(hash)) {
            throw node.error("not a bcrypt hash (expected: a hash such as $2y$10$..., from htpasswd -nbB; "
                    + "plain-text passwords are refused)");
        }
        return hash;
    }

    static boolean isBcrypt(String hash) {
        if (hash.length() != 60 || !BCRYPT_VERSIONS.contains(hash.substring(0, 4)) || hash.charAt(6) != '$') {
            return false;
        }
        try {
            int cost = Integer.parseInt(hash.substring(4, 6));
            return cost >= 4 && cost <= 31;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Override
    public FilterDecision onRequest(HttpExchange exchange) {
        String authorization = exchange.request().getHeader("authorization");
        if (authorization != null && authenticates(authorization)) {
            if (!forwardCredentials) {
                exchange.request().headers().remove("authorization");
            }
            return FilterDecision.proceed();
        }
        exchange.response().headers().set("www-authenticate", challenge);
        try {
            exchange.respond(401, LocalAnswers.TEXT, Buffer.buffer("unauthorized\n")).await();
        } catch (RuntimeException e) {
            // the client went away: nothing left to answer
        }
        return unauthorized;
    }

    /** Returns whether an {@code Authorization} value carries the credentials of a known user. */
    boolean authenticates(String authorization) {
        String value = authorization.strip();
        if (value.length() < 6 || !value.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(value.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        String user = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        String hash = users.get(user);
        byte[] digest = digest(user, password);
        long now = System.nanoTime();
        if (hash != null && cacheNanos > 0) {
            CachedCheck cached = cache.get(user);
            if (cached != null && now - cached.expires < 0 && MessageDigest.isEqual(cached.digest, digest)) {
                return true;
            }
        }
        boolean valid = check(hash != null ? hash : DummyHash.VALUE, password) && hash != null;
        if (valid && cacheNanos > 0) {
            if (cache.size() >= MAX_CACHED) {
                cache.values().removeIf(entry -> now - entry.expires >= 0);
                Iterator<String> oldest = cache.keySet().iterator();
                while (cache.size() >= MAX_CACHED && oldest.hasNext()) {
                    oldest.next();
                    oldest.remove();
                }
            }
            cache.put(user, new CachedCheck(digest, now + cacheNanos));
        }
        return valid;
    }

    private static boolean check(String hash, String password) {
        try {
            return OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
        } catch (IllegalArgumentException e) {
            return false; // a password bcrypt cannot take (longer than 72 bytes)
        }
    }

    private byte[] digest(String user, String password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(cacheKey, "HmacSHA256"));
            mac.update(user.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return mac.doFinal(password.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("basic-auth: HmacSHA256 unavailable", e);
        }
    }
}
