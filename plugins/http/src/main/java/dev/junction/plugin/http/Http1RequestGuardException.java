package dev.junction.plugin.http;

/**
 * A request that HTTP/1.1 parsers may read differently, found by {@link Http1RequestGuardScanner}; it is answered
 * with 400. It carries no stack trace: its message says all, and a client can cause any number of them.
 */
final class Http1RequestGuardException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    Http1RequestGuardException(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
