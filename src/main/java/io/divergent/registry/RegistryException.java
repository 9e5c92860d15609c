package io.divergent.registry;

/**
 * A schema registry call that failed. The failure is typed by the registry's numeric
 * {@code error_code} (and the HTTP status), never by its message: registries that speak the
 * Confluent protocol agree on the codes, not on the wording.
 *
 * <p>{@link #kind()} is the coarse classification callers branch on; {@link #errorCode()} and
 * {@link #httpStatus()} keep the raw values for anything finer.
 */
public class RegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The error codes of the Confluent protocol this client branches on. */
    public static final int SUBJECT_NOT_FOUND_CODE = 40401;
    /** Version not found under an existing subject. */
    public static final int VERSION_NOT_FOUND_CODE = 40402;
    /** Schema not found (unknown id, or schema not registered under the subject). */
    public static final int SCHEMA_NOT_FOUND_CODE = 40403;
    /** Confluent only: the subject has no subject-level compatibility configured. */
    public static final int SUBJECT_CONFIG_NOT_FOUND_CODE = 40408;
    /** The schema is incompatible with the subject's earlier versions. */
    public static final int INCOMPATIBLE_CODE = 409;
    /** The schema text is not a valid schema. */
    public static final int INVALID_SCHEMA_CODE = 42201;
    /** The compatibility level is not one the registry knows. */
    public static final int INVALID_COMPATIBILITY_LEVEL_CODE = 42203;

    /** Coarse classification of a failure. */
    public enum Kind {
        /** {@code error_code} 40401: the subject does not exist. */
        SUBJECT_NOT_FOUND,
        /** {@code error_code} 40402: the subject exists, the version does not. */
        VERSION_NOT_FOUND,
        /** {@code error_code} 40403: unknown schema id, or schema not registered under the subject. */
        SCHEMA_NOT_FOUND,
        /** {@code error_code} 409: the schema breaks the subject's compatibility rule. */
        INCOMPATIBLE,
        /** {@code error_code} 42201: the registry rejected the schema text. */
        INVALID_SCHEMA,
        /** {@code error_code} 42203: unknown compatibility level. */
        INVALID_COMPATIBILITY_LEVEL,
        /** HTTP 401 or 403: missing, wrong or insufficient credentials. Never retried. */
        UNAUTHORIZED,
        /** No answer (connection refused, timeout) or 5xx, after the configured retries. */
        UNAVAILABLE,
        /** Anything else (unexpected status, malformed response, 4xx without a known code). */
        OTHER;

        /**
         * Classifies a response.
         *
         * @param httpStatus the HTTP status, or {@code -1} when there was no response
         * @param errorCode  the body's {@code error_code}, or {@code -1} when absent
         * @return the kind; never null
         */
        public static Kind of(final int httpStatus, final int errorCode) {
            switch (errorCode) {
                case SUBJECT_NOT_FOUND_CODE:
                    return SUBJECT_NOT_FOUND;
                case VERSION_NOT_FOUND_CODE:
                    return VERSION_NOT_FOUND;
                case SCHEMA_NOT_FOUND_CODE:
                    return SCHEMA_NOT_FOUND;
                case INCOMPATIBLE_CODE:
                    return INCOMPATIBLE;
                case INVALID_SCHEMA_CODE:
                    return INVALID_SCHEMA;
                case INVALID_COMPATIBILITY_LEVEL_CODE:
                    return INVALID_COMPATIBILITY_LEVEL;
                default:
                    break;
            }
            if (httpStatus == 401 || httpStatus == 403) {
                return UNAUTHORIZED;
            }
            if (httpStatus == -1 || httpStatus >= 500) {
                return UNAVAILABLE;
            }
            if (httpStatus == 409 && errorCode == -1) {
                return INCOMPATIBLE;
            }
            return OTHER;
        }
    }

    private final Kind kind;
    private final int httpStatus;
    private final int errorCode;
    private final String url;

    /**
     * Creates an exception whose kind follows from the status and code by {@link Kind#of}.
     *
     * @param httpStatus the HTTP status, or {@code -1} when there was no response
     * @param errorCode  the registry's {@code error_code}, or {@code -1} when absent
     * @param url        the URL called (without credentials), or a {@code mock://} URL
     * @param message    the human-readable explanation
     * @param cause      the underlying failure, or null
     */
    public RegistryException(final int httpStatus, final int errorCode, final String url,
                             final String message, final Throwable cause) {
        this(Kind.of(httpStatus, errorCode), httpStatus, errorCode, url, message, cause);
    }

    /**
     * Creates an exception of an explicit kind.
     *
     * @param kind       the classification; not null
     * @param httpStatus the HTTP status, or {@code -1} when there was no response
     * @param errorCode  the registry's {@code error_code}, or {@code -1} when absent
     * @param url        the URL called (without credentials), or a {@code mock://} URL
     * @param message    the human-readable explanation
     * @param cause      the underlying failure, or null
     * @throws NullPointerException if {@code kind} is null
     */
    public RegistryException(final Kind kind, final int httpStatus, final int errorCode,
                             final String url, final String message, final Throwable cause) {
        super(message, cause);
        if (kind == null) {
            throw new NullPointerException("kind");
        }
        this.kind = kind;
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
        this.url = url;
    }

    /** The classification; never null. */
    public Kind kind() {
        return kind;
    }

    /** The HTTP status of the failed response, or {@code -1} when no response arrived. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The registry's {@code error_code}, or {@code -1} when the response carried none. */
    public int errorCode() {
        return errorCode;
    }

    /** The URL that failed, without credentials (a {@code mock://SCOPE} URL for the mock). */
    public String url() {
        return url;
    }

    /** True when the subject, version or schema asked for does not exist. */
    public boolean isNotFound() {
        return kind == Kind.SUBJECT_NOT_FOUND || kind == Kind.VERSION_NOT_FOUND
                || kind == Kind.SCHEMA_NOT_FOUND;
    }

    /**
     * True when the registry could not be asked (no answer, timeouts, 5xx after the retries):
     * the same call may succeed later, unlike a refusal or a missing schema.
     */
    public boolean isUnavailable() {
        return kind == Kind.UNAVAILABLE;
    }

    /**
     * The first {@code RegistryException} in the cause chain of {@code error}, such as the cause of
     * a serde's {@code SerializationException}.
     *
     * @param error any throwable; null gives an empty result
     * @return the registry failure behind {@code error}, if there is one
     */
    public static java.util.Optional<RegistryException> in(final Throwable error) {
        Throwable t = error;
        for (int depth = 0; t != null && depth < 32; depth++) {
            if (t instanceof RegistryException registry) {
                return java.util.Optional.of(registry);
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return java.util.Optional.empty();
    }
}
