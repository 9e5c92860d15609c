package io.divergent.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client for the REST API of a Confluent Schema Registry, and of registries that speak it
 * (Apicurio Registry under {@code /apis/ccompat/v7}), over {@link java.net.http.HttpClient}.
 *
 * <p><b>Protocol.</b> Every request carries {@code Accept} and {@code Content-Type}
 * {@code application/vnd.schemaregistry.v1+json} (some registries answer 415 otherwise);
 * responses in that type or in {@code application/json} are accepted. Errors are typed by the
 * body's {@code error_code} ({@link RegistryException}). Redirects are not followed.
 *
 * <p><b>Caching.</b> Schema ids are immutable, so id&rarr;schema and (subject, schema)&rarr;id
 * are cached for the life of the client, filled by every call that learns them: a serializer
 * calls the registry once per (subject, schema), a deserializer once per id, and neither needs
 * the registry afterwards. {@code latest}, {@code versions}, {@code subjects} and configuration
 * are never cached.
 *
 * <p><b>Retries and fail-over.</b> Every operation of this interface is idempotent in the
 * registry (registering a schema twice returns the same id), so all of them are retried when the
 * registry does not answer (connection refused, timeout) or answers 5xx, 408 or 429. One round
 * tries each configured URL once, starting with the one that last answered; after a failed round
 * the client waits an exponentially growing, jittered delay and tries again, for at most
 * {@code 1 + retries} rounds. Then it throws {@link RegistryException.Kind#UNAVAILABLE}, naming
 * the URL. Other 4xx answers are never retried.
 *
 * <p><b>Security.</b> Basic or bearer authentication ({@link Options}); TLS through the JDK's
 * default {@link javax.net.ssl.SSLContext}, so the {@code javax.net.ssl.trustStore} and
 * {@code keyStore} system properties apply. Credentials never appear in messages or
 * {@link #toString()}.
 *
 * <p>Thread-safe. Usually obtained through {@link SchemaRegistries#create}, which shares one
 * client per configuration within the JVM.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistry {

    /** The media type of the Confluent protocol. */
    public static final String MEDIA_TYPE = "application/vnd.schemaregistry.v1+json";

    private static final String ACCEPT = MEDIA_TYPE + ", application/vnd.schemaregistry+json; q=0.9, "
            + "application/json; q=0.5";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(HttpSchemaRegistryClient.class);

    /** Waits between retry rounds; replaced in tests to record the delays instead. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /**
     * Connection settings, immutable: start from {@link #of} and refine with the
     * {@code with...} methods.
     *
     * @param urls           base URLs (for example {@code http://host:8081} or
     *                       {@code http://host:8080/apis/ccompat/v7}), without credentials or
     *                       trailing slash; tried in order for fail-over
     * @param authorization  the {@code Authorization} header value, or null for none
     * @param connectTimeout TCP connect timeout per attempt
     * @param requestTimeout time limit of one HTTP exchange
     * @param retries        extra rounds after the first failed one, &gt;= 0
     * @param initialBackoff delay before the first retry round, &gt; 0
     * @param maxBackoff     upper bound of any delay, &gt;= initialBackoff
     */
    public record Options(List<URI> urls, String authorization, Duration connectTimeout,
                          Duration requestTimeout, int retries, Duration initialBackoff,
                          Duration maxBackoff) {

        /** Default connect timeout: 10 s. */
        public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
        /** Default request timeout: 30 s. */
        public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
        /** Default retry rounds after the first: 3. */
        public static final int DEFAULT_RETRIES = 3;
        /** Default first backoff: 100 ms. */
        public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
        /** Default backoff bound: 2 s. */
        public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(2);

        /**
         * @throws IllegalArgumentException if a URL is not absolute http(s) with a host, carries
         *         credentials, a query or fragment, if the list is empty, or a duration or count
         *         is out of range
         * @throws NullPointerException if a list, URL or duration is null
         */
        public Options {
            urls = List.copyOf(urls);
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("at least one schema registry URL is needed");
            }
            for (final URI url : urls) {
                checkUrl(url);
            }
            requirePositive(connectTimeout, "connectTimeout");
            requirePositive(requestTimeout, "requestTimeout");
            requirePositive(initialBackoff, "initialBackoff");
            requirePositive(maxBackoff, "maxBackoff");
            if (retries < 0) {
                throw new IllegalArgumentException("retries must be >= 0, was " + retries);
            }
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("maxBackoff " + maxBackoff + " is below initialBackoff "
                        + initialBackoff);
            }
        }

        /**
         * Default settings for the given base URLs. Credentials in a URL's user-info
         * ({@code http://user:pass@host:8081}) become basic authentication (Confluent's
         * {@code basic.auth.credentials.source=URL}) and are removed from the URL.
         *
         * @param urls one or more base URLs
         * @return settings with the defaults of the {@code DEFAULT_*} constants
         * @throws IllegalArgumentException if there is no URL, a URL is malformed or not
         *         http(s), or two URLs carry different credentials
         */
        public static Options of(final String... urls) {
            final List<URI> clean = new ArrayList<>();
            String authorization = null;
            for (final String text : urls) {
                final URI uri;
                try {
                    uri = new URI(text.trim());
                } catch (final java.net.URISyntaxException | NullPointerException e) {
                    throw new IllegalArgumentException("invalid schema registry URL '" + redact(text) + "'", e);
                }
                if (uri.getRawUserInfo() != null) {
                    final String header = basicHeader(URLDecoder.decode(uri.getRawUserInfo(), StandardCharsets.UTF_8));
                    if (authorization != null && !authorization.equals(header)) {
                        throw new IllegalArgumentException("schema registry URLs carry different credentials");
                    }
                    authorization = header;
                }
                clean.add(withoutUserInfo(uri));
            }
            return new Options(clean, authorization, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
                    DEFAULT_RETRIES, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF);
        }

        /**
         * Basic authentication, replacing any other.
         *
         * @param userInfo {@code user:password}; the password may contain colons
         * @throws IllegalArgumentException if {@code userInfo} has no colon
         */
        public Options withBasicAuth(final String userInfo) {
            return new Options(urls, basicHeader(userInfo), connectTimeout, requestTimeout, retries,
                    initialBackoff, maxBackoff);
        }

        /**
         * Bearer-token authentication, replacing any other.
         *
         * @throws IllegalArgumentException if {@code token} is null or blank
         */
        public Options withBearerToken(final String token) {
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("bearer token must not be blank");
            }
            return new Options(urls, "Bearer " + token.trim(), connectTimeout, requestTimeout, retries,
                    initialBackoff, maxBackoff);
        }

        /** Same settings with another connect timeout; see the constructor for the checks. */
        public Options withConnectTimeout(final Duration timeout) {
            return new Options(urls, authorization, timeout, requestTimeout, retries, initialBackoff, maxBackoff);
        }

        /** Same settings with another request timeout; see the constructor for the checks. */
        public Options withRequestTimeout(final Duration timeout) {
            return new Options(urls, authorization, connectTimeout, timeout, retries, initialBackoff, maxBackoff);
        }

        /** Same settings with another retry count; see the constructor for the checks. */
        public Options withRetries(final int count) {
            return new Options(urls, authorization, connectTimeout, requestTimeout, count, initialBackoff, maxBackoff);
        }

        /** Same settings with other backoff bounds; see the constructor for the checks. */
        public Options withBackoff(final Duration initial, final Duration max) {
            return new Options(urls, authorization, connectTimeout, requestTimeout, retries, initial, max);
        }

        /** The URLs as given to the client, comma-separated, for messages. */
        public String describeUrls() {
            final StringBuilder text = new StringBuilder();
            for (final URI url : urls) {
                if (text.length() > 0) {
                    text.append(',');
                }
                text.append(url);
            }
            return text.toString();
        }

        @Override
        public String toString() {
            final String auth = authorization == null ? "none"
                    : authorization.substring(0, authorization.indexOf(' ')).toLowerCase(Locale.ROOT);
            return "Options[urls=" + describeUrls() + ", auth=" + auth + ", connectTimeout=" + connectTimeout
                    + ", requestTimeout=" + requestTimeout + ", retries=" + retries + ", backoff="
                    + initialBackoff + ".." + maxBackoff + "]";
        }

        private static void checkUrl(final URI url) {
            Objects.requireNonNull(url, "url");
            final String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("schema registry URL '" + url + "' must start with http:// or https://");
            }
            if (url.getHost() == null || url.getHost().isEmpty()) {
                throw new IllegalArgumentException("schema registry URL '" + url + "' has no host");
            }
            if (url.getRawUserInfo() != null) {
                throw new IllegalArgumentException("schema registry URL must not carry credentials here: use "
                        + "Options.of or withBasicAuth");
            }
            if (url.getRawQuery() != null || url.getRawFragment() != null) {
                throw new IllegalArgumentException("schema registry URL '" + url + "' must not have a query or fragment");
            }
            if (url.getRawPath() != null && url.getRawPath().endsWith("/")) {
                throw new IllegalArgumentException("schema registry URL '" + url + "' must not end with '/'");
            }
        }

        private static void requirePositive(final Duration duration, final String name) {
            Objects.requireNonNull(duration, name);
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + duration);
            }
        }

        private static String basicHeader(final String userInfo) {
            if (userInfo == null || userInfo.indexOf(':') < 0) {
                throw new IllegalArgumentException("basic auth user info must be 'user:password'");
            }
            return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
        }

        private static URI withoutUserInfo(final URI uri) {
            String text = uri.toString();
            if (uri.getRawUserInfo() != null) {
                text = text.replaceFirst("//[^@/]*@", "//");
            }
            while (text.endsWith("/")) {
                text = text.substring(0, text.length() - 1);
            }
            return URI.create(text);
        }
    }

    private final Options options;
    private final HttpClient http;
    private final Sleeper sleeper;
    private final String[] bases;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();
    // The URL that answered last: later calls start there, so a dead first URL costs one
    // connection failure, not one per call.
    private volatile int preferred;

    private record SubjectSchema(String subject, Schema schema) {
    }

    /**
     * Creates a client. It opens no connection until the first call.
     *
     * @throws NullPointerException if {@code options} is null
     */
    public HttpSchemaRegistryClient(final Options options) {
        this(options, duration -> Thread.sleep(duration.toMillis()));
    }

    HttpSchemaRegistryClient(final Options options, final Sleeper sleeper) {
        this.options = Objects.requireNonNull(options, "options");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.bases = options.urls().stream().map(URI::toString).toArray(String[]::new);
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(options.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The settings this client was created with. */
    public Options options() {
        return options;
    }

    @Override
    public int register(final String subject, final Schema schema) {
        final SubjectSchema key = new SubjectSchema(requireSubject(subject), Objects.requireNonNull(schema, "schema"));
        final Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        final JsonNode response = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
        final int id = intField(response, "id", "/subjects/" + subject + "/versions");
        remember(subject, schema, id);
        return id;
    }

    @Override
    public int lookup(final String subject, final Schema schema) {
        final SubjectSchema key = new SubjectSchema(requireSubject(subject), Objects.requireNonNull(schema, "schema"));
        final Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        final JsonNode response = send("POST", "/subjects/" + encode(subject), schemaBody(schema));
        final int id = intField(response, "id", "/subjects/" + subject);
        remember(subject, schema, id);
        return id;
    }

    @Override
    public Schema schemaById(final int id) {
        ensureOpen();
        final Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        final String path = "/schemas/ids/" + id;
        final Schema schema = parseSchema(send("GET", path, null), path);
        final Schema raced = schemasById.putIfAbsent(id, schema);
        return raced == null ? schema : raced;
    }

    @Override
    public RegisteredSchema latest(final String subject) {
        return registered(subject, "/subjects/" + encode(requireSubject(subject)) + "/versions/latest");
    }

    @Override
    public RegisteredSchema version(final String subject, final int version) {
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, was " + version);
        }
        return registered(subject, "/subjects/" + encode(requireSubject(subject)) + "/versions/" + version);
    }

    @Override
    public List<String> subjects() {
        final JsonNode response = send("GET", "/subjects", null);
        final List<String> result = new ArrayList<>();
        for (final JsonNode item : array(response, "/subjects")) {
            result.add(item.asText());
        }
        return List.copyOf(result);
    }

    @Override
    public List<Integer> versions(final String subject) {
        final String path = "/subjects/" + encode(requireSubject(subject)) + "/versions";
        final List<Integer> result = new ArrayList<>();
        for (final JsonNode item : array(send("GET", path, null), path)) {
            if (!item.canConvertToInt()) {
                throw malformed(path, "version list holds a non-integer: " + item);
            }
            result.add(item.asInt());
        }
        return List.copyOf(result);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Older Confluent versions answer 40401 for a subject without versions, and some
     * registries 40402; both mean "nothing to be incompatible with" and give true.
     */
    @Override
    public boolean isCompatible(final String subject, final Schema schema) {
        final String path = "/compatibility/subjects/" + encode(requireSubject(subject)) + "/versions/latest";
        final JsonNode response;
        try {
            response = send("POST", path, schemaBody(Objects.requireNonNull(schema, "schema")));
        } catch (final RegistryException e) {
            if (e.kind() == RegistryException.Kind.SUBJECT_NOT_FOUND
                    || e.kind() == RegistryException.Kind.VERSION_NOT_FOUND) {
                return true;
            }
            throw e;
        }
        final JsonNode value = response.get("is_compatible");
        if (value == null || !value.isBoolean()) {
            throw malformed(path, "no boolean is_compatible in " + abbreviate(response.toString()));
        }
        return value.asBoolean();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Asks {@code GET /config/{subject}?defaultToGlobal=true}. Registries differ when the
     * subject has no level of its own: Apicurio answers 200 with the global level, Confluent
     * (without the parameter) 404 with 40408 or, in older versions and for unknown subjects,
     * 40401. Those two codes fall back to {@code GET /config}.
     */
    @Override
    public String compatibility(final String subject) {
        final String path = "/config/" + encode(requireSubject(subject));
        try {
            return level(send("GET", path + "?defaultToGlobal=true", null), path);
        } catch (final RegistryException e) {
            if (e.errorCode() != RegistryException.SUBJECT_CONFIG_NOT_FOUND_CODE
                    && e.errorCode() != RegistryException.SUBJECT_NOT_FOUND_CODE) {
                throw e;
            }
        }
        return level(send("GET", "/config", null), "/config");
    }

    @Override
    public void setCompatibility(final String subject, final String level) {
        final String path = "/config/" + encode(requireSubject(subject));
        if (level == null || level.isBlank()) {
            throw new IllegalArgumentException("compatibility level must not be blank");
        }
        final ObjectNode body = JSON.createObjectNode().put("compatibility", level.trim().toUpperCase(Locale.ROOT));
        send("PUT", path, body.toString());
    }

    /** Releases the client; later calls throw {@link IllegalStateException}. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && http instanceof AutoCloseable closeable) {
            // HttpClient is AutoCloseable from Java 21 on; on 17 its threads end with the object.
            try {
                closeable.close();
            } catch (final Exception e) {
                LOG.debug("closing the HTTP client failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return "HttpSchemaRegistryClient[" + options.describeUrls() + "]";
    }

    private RegisteredSchema registered(final String subject, final String path) {
        final JsonNode response = send("GET", path, null);
        final Schema schema = parseSchema(response, path);
        final int id = intField(response, "id", path);
        final int version = intField(response, "version", path);
        schemasById.putIfAbsent(id, schema);
        idsBySubjectSchema.putIfAbsent(new SubjectSchema(subject, schema), id);
        return new RegisteredSchema(subject, id, version, schema);
    }

    private void remember(final String subject, final Schema schema, final int id) {
        idsBySubjectSchema.putIfAbsent(new SubjectSchema(subject, schema), id);
        schemasById.putIfAbsent(id, schema);
    }

    private String level(final JsonNode response, final String path) {
        for (final String field : new String[] {"compatibilityLevel", "compatibility"}) {
            final JsonNode value = response.get(field);
            if (value != null && value.isTextual()) {
                return value.asText().toUpperCase(Locale.ROOT);
            }
        }
        throw malformed(path, "no compatibilityLevel in " + abbreviate(response.toString()));
    }

    private Schema parseSchema(final JsonNode response, final String path) {
        final JsonNode type = response.get("schemaType");
        if (type != null && !type.isNull() && !"AVRO".equalsIgnoreCase(type.asText())) {
            throw new RegistryException(RegistryException.Kind.OTHER, 200, -1, bases[preferred] + path,
                    "schema at " + bases[preferred] + path + " is " + type.asText() + ", not AVRO", null);
        }
        final JsonNode text = response.get("schema");
        if (text == null || !text.isTextual()) {
            throw malformed(path, "no schema text in " + abbreviate(response.toString()));
        }
        try {
            return new Schema.Parser().parse(text.asText());
        } catch (final SchemaParseException e) {
            throw new RegistryException(RegistryException.Kind.OTHER, 200, -1, bases[preferred] + path,
                    "registry returned an unparseable Avro schema at " + bases[preferred] + path + ": "
                            + e.getMessage(), e);
        }
    }

    private int intField(final JsonNode response, final String field, final String path) {
        final JsonNode value = response.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw malformed(path, "no integer '" + field + "' in " + abbreviate(response.toString()));
        }
        return value.asInt();
    }

    private Iterable<JsonNode> array(final JsonNode response, final String path) {
        if (!response.isArray()) {
            throw malformed(path, "expected a JSON array, got " + abbreviate(response.toString()));
        }
        return response;
    }

    private RegistryException malformed(final String path, final String detail) {
        final String url = bases[preferred] + path;
        return new RegistryException(RegistryException.Kind.OTHER, 200, -1, url,
                "unexpected response from " + url + ": " + detail, null);
    }

    private static String schemaBody(final Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).toString();
    }

    /**
     * One call with retries and fail-over; returns the parsed body of a 2xx answer.
     */
    private JsonNode send(final String method, final String pathAndQuery, final String body) {
        ensureOpen();
        final int urlCount = bases.length;
        int attempts = 0;
        RegistryException lastAnswer = null;
        IOException lastFailure = null;
        String lastUrl = bases[preferred] + pathAndQuery;
        for (int round = 0; round <= options.retries(); round++) {
            if (round > 0) {
                final Duration delay = backoff(round);
                LOG.debug("schema registry round {} failed ({}); retrying in {} ms", round, lastUrl, delay.toMillis());
                try {
                    sleeper.sleep(delay);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RegistryException(RegistryException.Kind.UNAVAILABLE, -1, -1, lastUrl,
                            "interrupted while waiting to retry " + method + " " + lastUrl, e);
                }
            }
            final int start = preferred;
            for (int k = 0; k < urlCount; k++) {
                final int index = (start + k) % urlCount;
                final String url = bases[index] + pathAndQuery;
                lastUrl = url;
                attempts++;
                final HttpResponse<String> response;
                try {
                    response = http.send(request(method, url, body), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                } catch (final IOException e) {
                    lastFailure = e;
                    lastAnswer = null;
                    continue;
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RegistryException(RegistryException.Kind.UNAVAILABLE, -1, -1, url,
                            "interrupted during " + method + " " + url, e);
                }
                final int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    preferred = index;
                    return parseBody(response, url);
                }
                final RegistryException error = errorFrom(method, url, response);
                if (!retriable(status)) {
                    // The registry answered: it is up, so prefer it even though the call failed.
                    preferred = index;
                    throw error;
                }
                lastAnswer = error;
                lastFailure = null;
            }
        }
        final String cause = lastAnswer != null ? lastAnswer.getMessage()
                : lastFailure == null ? "no attempt made" : describe(lastFailure);
        throw new RegistryException(RegistryException.Kind.UNAVAILABLE,
                lastAnswer == null ? -1 : lastAnswer.httpStatus(), lastAnswer == null ? -1 : lastAnswer.errorCode(),
                lastUrl, "schema registry unavailable at " + options.describeUrls() + ": " + method + " " + lastUrl
                + " failed after " + attempts + " attempt(s) in " + (options.retries() + 1) + " round(s); last: "
                + cause, lastAnswer != null ? lastAnswer : lastFailure);
    }

    private HttpRequest request(final String method, final String url, final String body) {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url))
                .timeout(options.requestTimeout())
                .header("Accept", ACCEPT)
                .header("Content-Type", MEDIA_TYPE)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (options.authorization() != null) {
            builder.header("Authorization", options.authorization());
        }
        return builder.build();
    }

    private static boolean retriable(final int status) {
        return status >= 500 || status == 408 || status == 429;
    }

    /** Exponential in the round, capped, with the upper half jittered ("equal jitter"). */
    Duration backoff(final int round) {
        final long initial = options.initialBackoff().toMillis();
        final long max = options.maxBackoff().toMillis();
        long base = initial;
        for (int i = 1; i < round && base < max; i++) {
            base *= 2;
        }
        base = Math.min(base, max);
        final long half = base / 2;
        return Duration.ofMillis(base - half + ThreadLocalRandom.current().nextLong(half + 1));
    }

    private static JsonNode parseBody(final HttpResponse<String> response, final String url) {
        final String text = response.body();
        if (text == null || text.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(text);
        } catch (final JsonProcessingException e) {
            throw new RegistryException(RegistryException.Kind.OTHER, response.statusCode(), -1, url,
                    "unexpected response from " + url + ": not JSON (Content-Type "
                            + response.headers().firstValue("Content-Type").orElse("none") + "): "
                            + abbreviate(text), e);
        }
    }

    private static RegistryException errorFrom(final String method, final String url,
                                               final HttpResponse<String> response) {
        final int status = response.statusCode();
        int code = -1;
        String message = null;
        final String text = response.body();
        if (text != null && !text.isBlank()) {
            try {
                final JsonNode node = JSON.readTree(text);
                final JsonNode codeNode = node.get("error_code");
                if (codeNode != null && codeNode.canConvertToInt()) {
                    code = codeNode.asInt();
                }
                final JsonNode messageNode = node.get("message");
                if (messageNode != null && messageNode.isTextual()) {
                    message = messageNode.asText();
                }
            } catch (final JsonProcessingException e) {
                message = abbreviate(text);
            }
        }
        final StringBuilder summary = new StringBuilder();
        summary.append(method).append(' ').append(url).append(" failed: HTTP ").append(status);
        if (code != -1) {
            summary.append(", error_code ").append(code);
        }
        if (message != null) {
            summary.append(": ").append(abbreviate(message));
        }
        if (status == 401 || status == 403) {
            summary.append(" (check basic.auth.user.info / bearer.auth.token)");
        }
        return new RegistryException(status, code, url, summary.toString(), null);
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    private String requireSubject(final String subject) {
        ensureOpen();
        if (subject == null || subject.isEmpty()) {
            throw new IllegalArgumentException("subject must not be empty");
        }
        return subject;
    }

    private static String describe(final IOException e) {
        final String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message)
                + (e.getCause() != null && e.getCause() != e ? " (" + e.getCause() + ")" : "");
    }

    private static String abbreviate(final String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }

    /** Percent-encodes one path segment (RFC 3986 unreserved characters stay as they are). */
    static String encode(final String segment) {
        final StringBuilder out = new StringBuilder(segment.length() + 8);
        for (final byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            final int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** A URL with any user-info replaced by {@code ***}, for messages. */
    static String redact(final String url) {
        return url == null ? null : url.replaceAll("//[^@/,]*@", "//***@");
    }
}
