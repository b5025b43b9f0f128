package dev.depthcast.client;

import java.io.IOException;

/** The server answered a client request with an error status (e.g. 503 when full), and its error text. */
public final class RefusedException extends IOException {

    private final int status;

    RefusedException(int status, String message) {
        super("server refused (" + status + "): " + message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
