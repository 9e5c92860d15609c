package io.divergent.runtime;

/**
 * A topic Divergent needs is missing, differs from what it needs, or cannot be checked.
 * The message is one line meant for the person running Divergent: it names the topic, the
 * cluster and what to do.
 */
public final class TopicException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message the one-line explanation shown to the user
     */
    public TopicException(final String message) {
        super(message);
    }

    /**
     * @param message the one-line explanation shown to the user
     * @param cause   the client error behind it
     */
    public TopicException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
