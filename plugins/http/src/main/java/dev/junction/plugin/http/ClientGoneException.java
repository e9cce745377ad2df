package dev.junction.plugin.http;

import dev.junction.spi.task.TaskCancelledException;

/**
 * Ends an exchange whose client went away (closed or reset its connection or stream) before the answer was
 * complete: nobody is left to answer, and it is no failure of the gateway's or of the upstream's.
 */
final class ClientGoneException extends TaskCancelledException {

    private static final long serialVersionUID = 1L;

    ClientGoneException() {
        super("http: the client went away", false);
    }
}
