package io.divergent.registry;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.types.Password;

/**
 * Creates a {@link SchemaRegistry} from serde-style configuration, with the key names of
 * Confluent's serializers so existing configuration works unchanged.
 *
 * <table>
 * <caption>Keys</caption>
 * <tr><th>key</th><th>meaning</th><th>default</th></tr>
 * <tr><td>{@value #URL}</td><td>{@code mock://SCOPE}, or comma-separated {@code http(s)://}
 *     base URLs (fail-over in order); user-info in a URL is basic auth</td><td>required</td></tr>
 * <tr><td>{@value #BASIC_AUTH_SOURCE}</td><td>{@code URL} (credentials from the URL's user-info)
 *     or {@code USER_INFO} (from {@value #BASIC_AUTH_USER_INFO})</td><td>{@code URL}</td></tr>
 * <tr><td>{@value #BASIC_AUTH_USER_INFO}</td><td>{@code user:password}</td><td>none</td></tr>
 * <tr><td>{@value #BEARER_AUTH_SOURCE}</td><td>{@code STATIC_TOKEN} only</td>
 *     <td>{@code STATIC_TOKEN} when a token is set</td></tr>
 * <tr><td>{@value #BEARER_AUTH_TOKEN}</td><td>bearer token</td><td>none</td></tr>
 * <tr><td>{@value #CONNECT_TIMEOUT_MS}</td><td>TCP connect timeout</td><td>10000</td></tr>
 * <tr><td>{@value #REQUEST_TIMEOUT_MS}</td><td>time limit of one HTTP exchange</td><td>30000</td></tr>
 * <tr><td>{@value #RETRIES}</td><td>retry rounds after the first failed one</td><td>3</td></tr>
 * <tr><td>{@value #RETRY_BACKOFF_MS}</td><td>first retry delay</td><td>100</td></tr>
 * <tr><td>{@value #RETRY_BACKOFF_MAX_MS}</td><td>bound of any retry delay</td><td>2000</td></tr>
 * </table>
 *
 * <p>The auth keys are also accepted with a {@code schema.registry.} prefix. Values may be
 * strings, numbers, or Kafka {@link Password}s. Other keys are ignored.
 */
public final class SchemaRegistries {

    /** Registry URL(s) or {@code mock://SCOPE}. */
    public static final String URL = "schema.registry.url";
    /** Where basic-auth credentials come from: {@code URL} or {@code USER_INFO}. */
    public static final String BASIC_AUTH_SOURCE = "basic.auth.credentials.source";
    /** {@code user:password} for {@code basic.auth.credentials.source=USER_INFO}. */
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    /** Where the bearer token comes from: {@code STATIC_TOKEN}. */
    public static final String BEARER_AUTH_SOURCE = "bearer.auth.credentials.source";
    /** The static bearer token. */
    public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";
    /** Connect timeout in milliseconds. */
    public static final String CONNECT_TIMEOUT_MS = "schema.registry.connect.timeout.ms";
    /** Request timeout in milliseconds. */
    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    /** Retry rounds after the first. */
    public static final String RETRIES = "schema.registry.retries";
    /** First retry delay in milliseconds. */
    public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";
    /** Bound of the retry delay in milliseconds. */
    public static final String RETRY_BACKOFF_MAX_MS = "schema.registry.retry.backoff.max.ms";

    private static final String MOCK_PREFIX = "mock://";
    private static final String PREFIX = "schema.registry.";

    /** Every key read, the auth keys also with their {@code schema.registry.} prefix. */
    public static final Set<String> KEYS = Set.of(URL, BASIC_AUTH_SOURCE, BASIC_AUTH_USER_INFO, BEARER_AUTH_SOURCE,
            BEARER_AUTH_TOKEN, PREFIX + BASIC_AUTH_SOURCE, PREFIX + BASIC_AUTH_USER_INFO, PREFIX + BEARER_AUTH_SOURCE,
            PREFIX + BEARER_AUTH_TOKEN, CONNECT_TIMEOUT_MS, REQUEST_TIMEOUT_MS, RETRIES, RETRY_BACKOFF_MS,
            RETRY_BACKOFF_MAX_MS);

    // One client per distinct Options (URLs, credentials, timeouts, retries): serdes are created
    // per stream thread and should share the id caches. Guarded by itself.
    private static final Map<HttpSchemaRegistryClient.Options, Shared> SHARED = new HashMap<>();

    private SchemaRegistries() {
    }

    /**
     * A registry for {@code config}. A {@code mock://SCOPE} URL gives
     * {@link MockSchemaRegistry#forScope forScope(SCOPE)}. HTTP URLs give a handle on an
     * {@link HttpSchemaRegistryClient} shared by every handle created with equal settings in
     * this JVM; the shared client closes when its last handle does. Creating opens no
     * connection.
     *
     * @param config serde configuration, see the class documentation for the keys
     * @return a registry; the caller closes it
     * @throws IllegalArgumentException naming the key and value if {@value #URL} is missing or
     *         invalid, or another key has an invalid or unsupported value
     * @throws NullPointerException if {@code config} is null
     */
    public static SchemaRegistry create(final Map<String, ?> config) {
        Objects.requireNonNull(config, "config");
        final String url = url(config);
        if (isMock(url)) {
            return MockSchemaRegistry.forScope(mockScope(url));
        }
        final HttpSchemaRegistryClient.Options options = options(config, url);
        synchronized (SHARED) {
            final Shared shared = SHARED.computeIfAbsent(options, o -> new Shared(new HttpSchemaRegistryClient(o)));
            shared.handles++;
            return new Handle(options, shared);
        }
    }

    /**
     * Checks {@code config} as {@link #create} would, without creating a registry, a client or
     * a mock scope, and without any network access: for validating a configuration at startup.
     *
     * @param config serde configuration, see the class documentation for the keys
     * @throws IllegalArgumentException exactly when {@link #create} would; the message starts
     *         with the key at fault
     * @throws NullPointerException if {@code config} is null
     */
    public static void validate(final Map<String, ?> config) {
        Objects.requireNonNull(config, "config");
        final String url = url(config);
        if (isMock(url)) {
            mockScope(url);
        } else {
            options(config, url);
        }
    }

    /**
     * The HTTP client settings {@code config} describes, without creating a client.
     *
     * @param config serde configuration with an http(s) {@value #URL}
     * @return the settings
     * @throws IllegalArgumentException as {@link #create}, and for a {@code mock://} URL
     */
    public static HttpSchemaRegistryClient.Options httpOptions(final Map<String, ?> config) {
        final Object raw = config.get(URL);
        if (raw == null) {
            throw new IllegalArgumentException(URL + " is required, was 'null'");
        }
        return options(config, text(raw).trim());
    }

    /**
     * {@code url} with credentials in user-info replaced by {@code ***}, for messages.
     *
     * @param url a URL or comma-separated URLs; null gives null
     */
    public static String redact(final String url) {
        return HttpSchemaRegistryClient.redact(url);
    }

    private static String url(final Map<String, ?> config) {
        final Object raw = config.get(URL);
        final String url = raw == null ? null : text(raw).trim();
        if (url == null || url.isEmpty()) {
            throw new IllegalArgumentException(URL + " is required (mock://SCOPE or http(s)://host:port), was '"
                    + raw + "'");
        }
        return url;
    }

    private static boolean isMock(final String url) {
        return url.toLowerCase(Locale.ROOT).startsWith(MOCK_PREFIX);
    }

    private static String mockScope(final String url) {
        final String scope = url.substring(MOCK_PREFIX.length());
        if (scope.isBlank() || scope.contains(",")) {
            throw new IllegalArgumentException(URL + " '" + url + "' needs exactly one non-empty scope: mock://SCOPE");
        }
        return scope;
    }

    private static HttpSchemaRegistryClient.Options options(final Map<String, ?> config, final String url) {
        final String[] parts = url.split(",");
        for (final String part : parts) {
            final String lower = part.trim().toLowerCase(Locale.ROOT);
            if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
                throw new IllegalArgumentException(URL + " '" + redact(url)
                        + "' must be mock://SCOPE or comma-separated http(s):// URLs");
            }
        }
        HttpSchemaRegistryClient.Options options;
        try {
            options = HttpSchemaRegistryClient.Options.of(parts);
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException(URL + " '" + redact(url) + "' is invalid: " + e.getMessage(), e);
        }

        final String basicSource = upper(setting(config, BASIC_AUTH_SOURCE), "URL");
        final String userInfo = setting(config, BASIC_AUTH_USER_INFO);
        final String bearerToken = setting(config, BEARER_AUTH_TOKEN);
        final String bearerSource = upper(setting(config, BEARER_AUTH_SOURCE), bearerToken == null ? null : "STATIC_TOKEN");
        switch (basicSource) {
            case "URL" -> { }
            case "USER_INFO" -> {
                if (userInfo == null || userInfo.indexOf(':') < 0) {
                    throw new IllegalArgumentException(BASIC_AUTH_USER_INFO + " must be 'user:password' when "
                            + BASIC_AUTH_SOURCE + "=USER_INFO, was " + (userInfo == null ? "missing" : "'***'"));
                }
                options = options.withBasicAuth(userInfo);
            }
            default -> throw new IllegalArgumentException(BASIC_AUTH_SOURCE + " '" + basicSource
                    + "' is not supported: use URL or USER_INFO");
        }
        if (bearerSource != null) {
            if (!bearerSource.equals("STATIC_TOKEN")) {
                throw new IllegalArgumentException(BEARER_AUTH_SOURCE + " '" + bearerSource
                        + "' is not supported: use STATIC_TOKEN with " + BEARER_AUTH_TOKEN);
            }
            if (bearerToken == null || bearerToken.isBlank()) {
                throw new IllegalArgumentException(BEARER_AUTH_TOKEN + " is required when " + BEARER_AUTH_SOURCE
                        + "=STATIC_TOKEN");
            }
            if (basicSource.equals("USER_INFO")) {
                throw new IllegalArgumentException(BEARER_AUTH_TOKEN + " and " + BASIC_AUTH_SOURCE
                        + "=USER_INFO are both set: choose one authentication");
            }
            options = options.withBearerToken(bearerToken);
        }

        options = options.withConnectTimeout(Duration.ofMillis(positive(config, CONNECT_TIMEOUT_MS,
                HttpSchemaRegistryClient.Options.DEFAULT_CONNECT_TIMEOUT.toMillis())));
        options = options.withRequestTimeout(Duration.ofMillis(positive(config, REQUEST_TIMEOUT_MS,
                HttpSchemaRegistryClient.Options.DEFAULT_REQUEST_TIMEOUT.toMillis())));
        final long retries = number(config, RETRIES, HttpSchemaRegistryClient.Options.DEFAULT_RETRIES);
        if (retries < 0 || retries > 100) {
            throw new IllegalArgumentException(RETRIES + " must be in [0, 100], was '" + config.get(RETRIES) + "'");
        }
        final long initial = positive(config, RETRY_BACKOFF_MS,
                HttpSchemaRegistryClient.Options.DEFAULT_INITIAL_BACKOFF.toMillis());
        final long max = positive(config, RETRY_BACKOFF_MAX_MS,
                Math.max(initial, HttpSchemaRegistryClient.Options.DEFAULT_MAX_BACKOFF.toMillis()));
        if (max < initial) {
            throw new IllegalArgumentException(RETRY_BACKOFF_MAX_MS + " '" + max + "' is below "
                    + RETRY_BACKOFF_MS + " '" + initial + "'");
        }
        return options.withRetries((int) retries).withBackoff(Duration.ofMillis(initial), Duration.ofMillis(max));
    }

    /** The value of {@code key}, or of {@code schema.registry.key}, trimmed; null if unset or blank. */
    private static String setting(final Map<String, ?> config, final String key) {
        Object value = config.get(key);
        if (value == null && !key.startsWith(PREFIX)) {
            value = config.get(PREFIX + key);
        }
        if (value == null) {
            return null;
        }
        final String text = text(value).trim();
        return text.isEmpty() ? null : text;
    }

    private static String upper(final String value, final String fallback) {
        return value == null ? fallback : value.toUpperCase(Locale.ROOT);
    }

    private static long positive(final Map<String, ?> config, final String key, final long fallback) {
        final long value = number(config, key, fallback);
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be > 0, was '" + config.get(key) + "'");
        }
        return value;
    }

    private static long number(final Map<String, ?> config, final String key, final long fallback) {
        final Object value = config.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            return ((Number) value).longValue();
        }
        try {
            return Long.parseLong(text(value).trim());
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, was '" + value + "'", e);
        }
    }

    private static String text(final Object value) {
        return value instanceof Password password ? password.value() : String.valueOf(value);
    }

    private static final class Shared {
        final HttpSchemaRegistryClient client;
        int handles; // guarded by SHARED

        Shared(final HttpSchemaRegistryClient client) {
            this.client = client;
        }
    }

    /** One caller's reference to a shared client; closing it releases the reference. */
    private static final class Handle implements SchemaRegistry {
        private final HttpSchemaRegistryClient.Options key;
        private final Shared shared;
        private final AtomicBoolean closed = new AtomicBoolean();

        Handle(final HttpSchemaRegistryClient.Options key, final Shared shared) {
            this.key = key;
            this.shared = shared;
        }

        private HttpSchemaRegistryClient client() {
            if (closed.get()) {
                throw new IllegalStateException(this + " is closed");
            }
            return shared.client;
        }

        @Override
        public int register(final String subject, final Schema schema) {
            return client().register(subject, schema);
        }

        @Override
        public int lookup(final String subject, final Schema schema) {
            return client().lookup(subject, schema);
        }

        @Override
        public Schema schemaById(final int id) {
            return client().schemaById(id);
        }

        @Override
        public RegisteredSchema latest(final String subject) {
            return client().latest(subject);
        }

        @Override
        public RegisteredSchema version(final String subject, final int version) {
            return client().version(subject, version);
        }

        @Override
        public List<String> subjects() {
            return client().subjects();
        }

        @Override
        public List<Integer> versions(final String subject) {
            return client().versions(subject);
        }

        @Override
        public boolean isCompatible(final String subject, final Schema schema) {
            return client().isCompatible(subject, schema);
        }

        @Override
        public String compatibility(final String subject) {
            return client().compatibility(subject);
        }

        @Override
        public void setCompatibility(final String subject, final String level) {
            client().setCompatibility(subject, level);
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            synchronized (SHARED) {
                if (--shared.handles == 0) {
                    SHARED.remove(key, shared);
                    shared.client.close();
                }
            }
        }

        @Override
        public String toString() {
            return shared.client.toString();
        }
    }
}
