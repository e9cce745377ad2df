package dev.junction.internal.gateway;

import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;

/** The gateway-wide settings of a configuration: its {@code admin} and {@code runtime} blocks. */
final class Settings {

    private Settings() {
    }

    /**
     * @param enabled whether the admin API runs
     * @param address where it listens
     * @param token the bearer token for state-changing endpoints; empty turns them off
     */
    record Admin(boolean enabled, SocketAddress address, Optional<String> token) {
    }

    /**
     * @param eventLoops event-loop threads
     * @param drainTimeout how long open connections may finish on shutdown and removal
     * @param watchConfig whether a file change triggers a reload
     * @param blockedThreadWarning how long an event loop may run one task before it is reported
     * @param transport the I/O transport
     */
    record Runtime(int eventLoops, Duration drainTimeout, boolean watchConfig, Duration blockedThreadWarning,
            Transport transport) {
    }

    /** The I/O transport under the event loops, written in kebab case. */
    enum Transport {
        /** epoll when it is available, Java NIO otherwise. */
        AUTO,
        /** Linux epoll; startup fails when it is unavailable. */
        EPOLL,
        /** Linux io_uring; startup fails when it is unavailable. */
        IO_URING,
        /** Java NIO. */
        NIO
    }
}
