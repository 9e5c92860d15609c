package io.divergent.view;

/** A request the API answers with a status other than 200 and a one-line message (never a stack trace). */
final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    ApiException(final int status, final String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }
}
