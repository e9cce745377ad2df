package dev.junction.plugin.http.filter;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.impl.jose.JWK;
import io.vertx.ext.auth.impl.jose.JWT;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The verification keys of a {@code jwt} filter: fixed ones (a secret, a PEM public key), or a JWKS document fetched
 * from a URL, refreshed every {@code refresh} and when a token names an unknown key (at most once per
 * {@link #MIN_REFETCH}, so tokens with made-up key ids cannot make the gateway hammer the key server).
 */
final class JwtKeys {

    static final Duration MIN_REFETCH = Duration.ofSeconds(30);
    private static final int MAX_JWKS_BYTES = 1024 * 1024;
    private static final Map<Vertx, HttpClient> CLIENTS = new ConcurrentHashMap<>();

    private final Supplier<Vertx> vertx;
    private final String jwksUrl;
    private final long refreshNanos;
    private final System.Logger logger;
    private volatile JWT verifier;
    private volatile long fetchedAt;
    private volatile long lastUnknownKeyFetch = System.nanoTime() - MIN_REFETCH.toNanos();
    private Future<JWT> fetching;

    /** Keys that never change. */
    JwtKeys(List<JWK> keys) {
        JWT jwt = new JWT();
        keys.forEach(jwt::addJWK);
        this.verifier = jwt;
        this.vertx = null;
        this.jwksUrl = null;
        this.refreshNanos = 0;
        this.logger = null;
    }

    /** Keys from a JWKS URL, first fetched when the first request needs them. */
    JwtKeys(Supplier<Vertx> vertx, String jwksUrl, Duration refresh, System.Logger logger) {
        this.vertx = vertx;
        this.jwksUrl = jwksUrl;
        this.refreshNanos = refresh.toNanos();
        this.logger = logger;
    }

    boolean refreshable() {
        return jwksUrl != null;
    }

    /** Returns the current verifier, fetching or refreshing the JWKS when due; fails when none could be fetched. */
    Future<JWT> current() {
        JWT jwt = verifier;
        if (jwksUrl == null) {
            return Future.succeededFuture(jwt);
        }
        long now = System.nanoTime();
        if (jwt == null) {
            return fetch(now);
        }
        if (now - fetchedAt > refreshNanos) {
            fetch(now); // refresh in the background; this request uses the keys it has
        }
        return Future.succeededFuture(jwt);
    }

    /** Fetches the JWKS again after a token named an unknown key, unless that was done very recently. */
    Future<JWT> refetchForUnknownKey() {
        long now = System.nanoTime();
        if (jwksUrl == null || now - lastUnknownKeyFetch < MIN_REFETCH.toNanos()) {
            return Future.failedFuture("jwt: no such key");
        }
        lastUnknownKeyFetch = now;
        return fetch(now);
    }

    private synchronized Future<JWT> fetch(long now) {
        if (fetching == null && verifier != null && now - fetchedAt > refreshNanos) {
            fetchedAt = now; // one background refresh per period, even while it is in flight
        }
        if (fetching != null) {
            return fetching;
        }
        Promise<JWT> promise = Promise.promise();
        fetching = promise.future();
        download().onComplete(result -> {
            synchronized (this) {
                fetching = null;
            }
            if (result.succeeded()) {
                verifier = result.result();
                fetchedAt = System.nanoTime();
                promise.complete(result.result());
            } else {
                logger.log(Level.WARNING, "jwt: cannot fetch the JWKS from " + jwksUrl + ": "
                        + result.cause().getMessage());
                JWT previous = verifier;
                // try again after MIN_REFETCH rather than a whole refresh period, and never at request rate
                fetchedAt = System.nanoTime() - refreshNanos + Math.min(refreshNanos, MIN_REFETCH.toNanos());
                if (previous != null) {
                    promise.complete(previous);
                } else {
                    promise.fail(result.cause());
                }
            }
        });
        return promise.future();
    }

    private Future<JWT> download() {
        Vertx instance = vertx.get();
        HttpClient client = CLIENTS.computeIfAbsent(instance, v -> v.createHttpClient(new HttpClientOptions()
                .setConnectTimeout(5000).setIdleTimeout(30).setKeepAlive(false).setTrustAll(false)));
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(jwksUrl)
                .setTimeout(10_000).putHeader("accept", "application/json");
        return client.request(options)
                .compose(request -> request.send())
                .compose(response -> {
                    if (response.statusCode() != 200) {
                        return Future.failedFuture("status " + response.statusCode());
                    }
                    String length = response.getHeader("content-length");
                    if (length != null && length.length() < 19 && Long.parseLong(length.trim()) > MAX_JWKS_BYTES) {
                        return Future.failedFuture("the JWKS is larger than 1 MiB");
                    }
                    Buffer collected = Buffer.buffer();
                    Promise<Buffer> body = Promise.promise();
                    response.handler(chunk -> {
                        if (collected.length() + chunk.length() > MAX_JWKS_BYTES) {
                            body.tryFail("the JWKS is larger than 1 MiB");
                            response.request().reset();
                        } else {
                            collected.appendBuffer(chunk);
                        }
                    });
                    response.exceptionHandler(body::tryFail);
                    response.endHandler(ignored -> body.tryComplete(collected));
                    return body.future();
                })
                .map(JwtKeys::parse);
    }

    /** Parses a JWKS document into a verifier; keys of unsupported types are skipped. */
    static JWT parse(Buffer document) {
        JsonArray keys = new JsonObject(document).getJsonArray("keys");
        if (keys == null) {
            throw new IllegalArgumentException("no \"keys\" array");
        }
        JWT jwt = new JWT();
        int added = 0;
        for (int i = 0; i < keys.size(); i++) {
            Object key = keys.getValue(i);
            if (!(key instanceof JsonObject json)) {
                continue;
            }
            String use = json.getString("use");
            if ((use != null && !use.equals("sig")) || "oct".equals(json.getString("kty"))
                    || "RS1".equals(json.getString("alg"))) {
                continue; // encryption keys, shared secrets and SHA-1 have no place in a published key set
            }
            try {
                jwt.addJWK(new JWK(json));
                added++;
            } catch (RuntimeException e) {
                // an algorithm this gateway cannot verify: skipped, as RFC 7517 5 asks
            }
        }
        if (added == 0) {
            throw new IllegalArgumentException("no usable signing key");
        }
        return jwt;
    }
}
