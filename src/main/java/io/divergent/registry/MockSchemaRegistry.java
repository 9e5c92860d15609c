package io.divergent.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * An in-memory registry with the semantics of a Confluent Schema Registry, for tests and demos.
 *
 * <p>Instances are named by scope: {@code schema.registry.url=mock://SCOPE} selects
 * {@link #forScope forScope("SCOPE")}, and every serde configured with the same URL in this JVM
 * sees the same subjects. Scopes are isolated from each other; give each test its own (for
 * example a random one). A scope lives until {@link #dropScope}; {@link #close()} does nothing.
 *
 * <p>Like the real registry: one schema has one id in the whole scope, whichever subjects it is
 * registered under; registering a schema already in the subject returns its id without a
 * compatibility check; the global level starts as {@code BACKWARD}; a subject without versions
 * accepts any schema. Compatibility is Avro's own reader/writer check
 * ({@link SchemaCompatibility}). Thread-safe.
 */
public final class MockSchemaRegistry implements SchemaRegistry {

    private static final String DEFAULT_LEVEL = "BACKWARD";
    private static final Map<String, MockSchemaRegistry> SCOPES = new ConcurrentHashMap<>();

    private final String scope;
    private final String url;
    // Guarded by this.
    private final Map<String, List<Version>> subjects = new LinkedHashMap<>();
    private final Map<Schema, Integer> idsBySchema = new HashMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, String> subjectLevels = new HashMap<>();
    private String globalLevel = DEFAULT_LEVEL;
    private int nextId = 1;

    private record Version(int version, int id, Schema schema) {
    }

    private MockSchemaRegistry(final String scope) {
        this.scope = scope;
        this.url = "mock://" + scope;
    }

    /**
     * The registry of {@code scope}, created empty on first use and shared by every caller
     * with the same scope in this JVM.
     *
     * @param scope the part of a {@code mock://SCOPE} URL after {@code mock://}
     * @return the shared instance; never null
     * @throws IllegalArgumentException if {@code scope} is null or blank
     */
    public static MockSchemaRegistry forScope(final String scope) {
        if (scope == null || scope.isBlank()) {
            throw new IllegalArgumentException("mock registry scope must not be blank: '" + scope + "'");
        }
        return SCOPES.computeIfAbsent(scope, MockSchemaRegistry::new);
    }

    /**
     * Forgets {@code scope}: the next {@link #forScope} with it starts empty. Instances already
     * handed out keep their state but are no longer shared. Unknown scopes are ignored.
     *
     * @param scope the scope to drop; null is ignored
     */
    public static void dropScope(final String scope) {
        if (scope != null) {
            SCOPES.remove(scope);
        }
    }

    /** The scope's URL, {@code mock://SCOPE}. */
    public String url() {
        return url;
    }

    /** The scope name. */
    public String scope() {
        return scope;
    }

    @Override
    public synchronized int register(final String subject, final Schema schema) {
        requireSubject(subject);
        Objects.requireNonNull(schema, "schema");
        final List<Version> versions = subjects.getOrDefault(subject, List.of());
        for (final Version v : versions) {
            if (v.schema().equals(schema)) {
                return v.id();
            }
        }
        final String level = levelOf(subject);
        final String problem = incompatibility(level, schema, versions);
        if (problem != null) {
            throw error(409, RegistryException.INCOMPATIBLE_CODE, "/subjects/" + subject + "/versions",
                    "schema is incompatible with subject '" + subject + "' under " + level + ": " + problem);
        }
        // Copy through text, as a registry would, so later mutation of the caller's schema
        // properties cannot change what is stored.
        final Schema stored = new Schema.Parser().parse(schema.toString());
        final int id = idsBySchema.computeIfAbsent(stored, s -> nextId++);
        schemasById.putIfAbsent(id, stored);
        final int version = versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1;
        subjects.computeIfAbsent(subject, s -> new ArrayList<>()).add(new Version(version, id, stored));
        return id;
    }

    @Override
    public synchronized int lookup(final String subject, final Schema schema) {
        Objects.requireNonNull(schema, "schema");
        for (final Version v : versionsOf(subject, "/subjects/" + subject)) {
            if (v.schema().equals(schema)) {
                return v.id();
            }
        }
        throw error(404, RegistryException.SCHEMA_NOT_FOUND_CODE, "/subjects/" + subject,
                "schema not registered under subject '" + subject + "'");
    }

    @Override
    public synchronized Schema schemaById(final int id) {
        final Schema schema = schemasById.get(id);
        if (schema == null) {
            throw error(404, RegistryException.SCHEMA_NOT_FOUND_CODE, "/schemas/ids/" + id,
                    "schema id " + id + " not found");
        }
        return schema;
    }

    @Override
    public synchronized RegisteredSchema latest(final String subject) {
        final List<Version> versions = versionsOf(subject, "/subjects/" + subject + "/versions/latest");
        final Version v = versions.get(versions.size() - 1);
        return new RegisteredSchema(subject, v.id(), v.version(), v.schema());
    }

    @Override
    public synchronized RegisteredSchema version(final String subject, final int version) {
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, was " + version);
        }
        final String path = "/subjects/" + subject + "/versions/" + version;
        for (final Version v : versionsOf(subject, path)) {
            if (v.version() == version) {
                return new RegisteredSchema(subject, v.id(), v.version(), v.schema());
            }
        }
        throw error(404, RegistryException.VERSION_NOT_FOUND_CODE, path,
                "version " + version + " of subject '" + subject + "' not found");
    }

    @Override
    public synchronized List<String> subjects() {
        return List.copyOf(subjects.keySet());
    }

    @Override
    public synchronized List<Integer> versions(final String subject) {
        final List<Integer> result = new ArrayList<>();
        for (final Version v : versionsOf(subject, "/subjects/" + subject + "/versions")) {
            result.add(v.version());
        }
        return List.copyOf(result);
    }

    @Override
    public synchronized boolean isCompatible(final String subject, final Schema schema) {
        requireSubject(subject);
        Objects.requireNonNull(schema, "schema");
        return incompatibility(levelOf(subject), schema, subjects.getOrDefault(subject, List.of())) == null;
    }

    @Override
    public synchronized String compatibility(final String subject) {
        requireSubject(subject);
        return levelOf(subject);
    }

    /**
     * Sets the subject-level compatibility.
     *
     * @throws RegistryException {@link RegistryException.Kind#INVALID_COMPATIBILITY_LEVEL} if
     *         {@code level} is null or not one of the seven levels
     */
    @Override
    public synchronized void setCompatibility(final String subject, final String level) {
        requireSubject(subject);
        subjectLevels.put(subject, checkLevel(level, "/config/" + subject));
    }

    /**
     * Sets the scope's global compatibility level (initially {@code BACKWARD}).
     *
     * @throws RegistryException {@link RegistryException.Kind#INVALID_COMPATIBILITY_LEVEL} if
     *         {@code level} is null or not one of the seven levels
     */
    public synchronized void setGlobalCompatibility(final String level) {
        globalLevel = checkLevel(level, "/config");
    }

    /** Does nothing: the scope lives until {@link #dropScope}. */
    @Override
    public void close() {
        // Shared by scope; see dropScope.
    }

    @Override
    public String toString() {
        return "MockSchemaRegistry[" + url + "]";
    }

    private String levelOf(final String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }

    private List<Version> versionsOf(final String subject, final String path) {
        requireSubject(subject);
        final List<Version> versions = subjects.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw error(404, RegistryException.SUBJECT_NOT_FOUND_CODE, path,
                    "subject '" + subject + "' not found");
        }
        return versions;
    }

    private String checkLevel(final String level, final String path) {
        final String normalized = level == null ? "" : level.trim().toUpperCase(Locale.ROOT);
        switch (normalized) {
            case "NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL",
                    "FULL_TRANSITIVE" -> {
                return normalized;
            }
            default -> throw error(422, RegistryException.INVALID_COMPATIBILITY_LEVEL_CODE, path,
                    "invalid compatibility level '" + level + "'");
        }
    }

    /** Null when {@code candidate} may follow {@code versions} under {@code level}, else why not. */
    private static String incompatibility(final String level, final Schema candidate,
                                          final List<Version> versions) {
        if (versions.isEmpty() || "NONE".equals(level)) {
            return null;
        }
        final boolean transitive = level.endsWith("_TRANSITIVE");
        final boolean backward = level.startsWith("BACKWARD") || level.startsWith("FULL");
        final boolean forward = level.startsWith("FORWARD") || level.startsWith("FULL");
        final List<Version> against = transitive ? versions : versions.subList(versions.size() - 1, versions.size());
        for (final Version earlier : against) {
            if (backward) {
                final String problem = problem(candidate, earlier.schema());
                if (problem != null) {
                    return "new schema cannot read version " + earlier.version() + ": " + problem;
                }
            }
            if (forward) {
                final String problem = problem(earlier.schema(), candidate);
                if (problem != null) {
                    return "version " + earlier.version() + " cannot read the new schema: " + problem;
                }
            }
        }
        return null;
    }

    private static String problem(final Schema reader, final Schema writer) {
        final SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (result.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return null;
        }
        final StringBuilder text = new StringBuilder();
        for (final SchemaCompatibility.Incompatibility incompatibility : result.getResult().getIncompatibilities()) {
            if (text.length() > 0) {
                text.append("; ");
            }
            text.append(incompatibility.getType()).append(" at ").append(incompatibility.getLocation())
                    .append(": ").append(incompatibility.getMessage());
        }
        return text.toString();
    }

    private static void requireSubject(final String subject) {
        if (subject == null || subject.isEmpty()) {
            throw new IllegalArgumentException("subject must not be empty");
        }
    }

    private RegistryException error(final int status, final int code, final String path, final String message) {
        return new RegistryException(status, code, url + path, message + " in registry " + url, null);
    }
}
