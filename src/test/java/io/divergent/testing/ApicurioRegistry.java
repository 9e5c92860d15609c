package io.divergent.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real Apicurio Registry 3 (the Maven Central distribution Maven unpacks into
 * {@code target/apicurio} in {@code pre-integration-test}), run as a child process on free
 * localhost ports with in-memory H2 storage, for integration tests that need a real
 * Confluent-compatible registry at {@link #ccompatUrl()}.
 *
 * <p>Startup takes several seconds, so IT classes normally share one process through
 * {@link #shared()}, stopped by a JVM shutdown hook; {@link #start()} gives a private one.
 * Tests sharing it must use their own subject names.
 *
 * <p>Apicurio needs Java 21 or newer; the runtime is found automatically: the system property
 * {@value #JAVA_PROPERTY}, then {@code JAVA_HOME}, then the running JVM, then the newest
 * {@code /usr/lib/jvm/*}, each accepted only if its {@code release} file says 21 or more.
 * The global compatibility level is set to {@code BACKWARD}, Confluent's default (Apicurio's is
 * {@code NONE}). The registry's output goes to {@link #log()}.
 */
public final class ApicurioRegistry implements AutoCloseable {

    /** System property with the directory Maven unpacked the distribution into. */
    public static final String HOME_PROPERTY = "divergent.apicurio.home";
    /** Optional system property naming a Java 21+ home (or its {@code bin/java}) to run Apicurio with. */
    public static final String JAVA_PROPERTY = "divergent.apicurio.java";
    /** Optional system property: seconds to wait for readiness (default 60). */
    public static final String STARTUP_SECONDS_PROPERTY = "divergent.apicurio.startup.seconds";

    private static final int MIN_JAVA = 21;
    private static final int START_ATTEMPTS = 3;
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static ApicurioRegistry shared;

    private final Process process;
    private final int port;
    private final String datasource;
    private final Path log;
    private final Duration startup;

    private ApicurioRegistry(final Process process, final int port, final String datasource, final Path log,
                             final Duration startup) {
        this.process = process;
        this.port = port;
        this.datasource = datasource;
        this.log = log;
        this.startup = startup;
    }

    /**
     * The JVM-wide registry, started on first use and stopped when the JVM exits. Do not
     * close it.
     *
     * @throws IllegalStateException if it cannot be started (see {@link #start()})
     */
    public static synchronized ApicurioRegistry shared() {
        if (shared == null || !shared.process.isAlive()) {
            final ApicurioRegistry started = start();
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "apicurio-registry-stop"));
            shared = started;
        }
        return shared;
    }

    /**
     * Starts a private registry and waits until its Confluent-compatible API answers.
     *
     * @return the running registry; the caller closes it
     * @throws IllegalStateException if {@value #HOME_PROPERTY} is unset or holds no
     *         {@code quarkus-run.jar}, no Java 21+ runtime is found, or the registry is not
     *         ready in time or exits (the message includes the end of its log)
     */
    public static ApicurioRegistry start() {
        return start("jdbc:h2:mem:divergent_" + UUID.randomUUID().toString().replace("-", ""));
    }

    /**
     * Starts a private registry that keeps its schemas in an H2 database file under
     * {@code directory}, so that {@link #restart()} brings the same schemas (and ids) back: for
     * tests of a registry outage.
     *
     * @param directory an existing, writable directory of the test's own
     * @return the running registry; the caller closes it
     * @throws IllegalStateException as {@link #start()}
     */
    public static ApicurioRegistry startPersistent(final Path directory) {
        return start("jdbc:h2:file:" + directory.toAbsolutePath().resolve("registry"));
    }

    /**
     * Stops this registry and starts it again on the same port with the same storage (see
     * {@link #startPersistent}), waiting until it answers.
     *
     * @return the restarted registry (this instance stays closed)
     * @throws IllegalStateException if it does not come back in time
     */
    public ApicurioRegistry restart() {
        close();
        final ApicurioRegistry again = launch(javaExecutable(), quarkusRunJar(), log.getParent(), startup, port, datasource);
        try {
            again.awaitReady();
            return again;
        } catch (final IllegalStateException e) {
            again.close();
            throw e;
        }
    }

    /**
     * Stops the registry; its port then refuses connections until {@link #restart()}.
     */
    public void stop() {
        close();
    }

    private static ApicurioRegistry start(final String datasource) {
        final Path jar = quarkusRunJar();
        final Path java = javaExecutable();
        final Duration startup = Duration.ofSeconds(Long.getLong(STARTUP_SECONDS_PROPERTY, 60));
        final Path logs = jar.getParent().getParent().resolve("apicurio-logs");
        IllegalStateException failure = null;
        // A free port can be taken between probing and binding; a fresh pair usually succeeds.
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            final ApicurioRegistry registry = launch(java, jar, logs, startup, freePort(), datasource);
            try {
                registry.awaitReady();
                return registry;
            } catch (final IllegalStateException e) {
                registry.close();
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
                if (!e.getMessage().contains("exited")) {
                    break;
                }
            }
        }
        throw failure;
    }

    /** {@code http://127.0.0.1:PORT/apis/ccompat/v7}: the Confluent-compatible API. */
    public String ccompatUrl() {
        return baseUrl() + "/apis/ccompat/v7";
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The file receiving the registry's output. */
    public Path log() {
        return log;
    }

    /** Stops the registry and its child processes and waits for them to exit. Idempotent. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } catch (final InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ApicurioRegistry[" + ccompatUrl() + ", log " + log + "]";
    }

    private static ApicurioRegistry launch(final Path java, final Path jar, final Path logs, final Duration startup,
                                           final int httpPort, final String datasource) {
        final int managementPort = freePort();
        final Path log = logs.resolve("apicurio-" + ProcessHandle.current().pid() + "-"
                + SEQUENCE.incrementAndGet() + "-port" + httpPort + ".log");
        final List<String> command = new ArrayList<>(List.of(
                java.toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + httpPort,
                "-Dquarkus.management.host=127.0.0.1",
                "-Dquarkus.management.port=" + managementPort,
                "-Dapicurio.storage.kind=sql",
                "-Dapicurio.storage.sql.kind=h2",
                "-Dapicurio.datasource.url=" + datasource,
                "-Dapicurio.rules.global.compatibility=BACKWARD",
                "-jar", jar.toString()));
        try {
            Files.createDirectories(logs);
            final Process process = new ProcessBuilder(command)
                    .directory(logs.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            process.getOutputStream().close();
            return new ApicurioRegistry(process, httpPort, datasource, log, startup);
        } catch (final IOException e) {
            throw new IllegalStateException("cannot start Apicurio Registry: " + String.join(" ", command), e);
        }
    }

    private void awaitReady() {
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                .version(HttpClient.Version.HTTP_1_1).build();
        final HttpRequest probe = HttpRequest.newBuilder(URI.create(ccompatUrl() + "/subjects"))
                .header("Accept", "application/vnd.schemaregistry.v1+json")
                .timeout(Duration.ofSeconds(5)).GET().build();
        final long deadline = System.nanoTime() + startup.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (final IOException e) {
                // Not listening yet.
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + this, e);
            }
            try {
                // Paces the polling and notices an early exit at once.
                if (process.waitFor(200, TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("Apicurio Registry exited with code " + process.exitValue()
                            + " before it was ready; end of " + log + ":\n" + tail());
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + this, e);
            }
        }
        throw new IllegalStateException("Apicurio Registry not ready at " + ccompatUrl() + " within " + startup
                + " (raise -D" + STARTUP_SECONDS_PROPERTY + "); end of " + log + ":\n" + tail());
    }

    private String tail() {
        try {
            final List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (final IOException | UncheckedIOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path quarkusRunJar() {
        final String home = System.getProperty(HOME_PROPERTY);
        if (home == null || home.isBlank()) {
            throw new IllegalStateException("system property " + HOME_PROPERTY + " is not set: run integration tests "
                    + "through Maven (mvn verify), whose failsafe configuration sets it and whose pre-integration-test "
                    + "phase unpacks io.apicurio:apicurio-registry-app:tar.gz:all there");
        }
        final Path root = Path.of(home);
        final Path direct = root.resolve("quarkus-run.jar");
        if (Files.isRegularFile(direct)) {
            return direct;
        }
        try (Stream<Path> files = Files.exists(root) ? Files.walk(root, 4) : Stream.empty()) {
            return files.filter(p -> p.getFileName().toString().equals("quarkus-run.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no quarkus-run.jar under " + root.toAbsolutePath()
                            + " (" + HOME_PROPERTY + "): has Maven's pre-integration-test phase unpacked Apicurio?"));
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path javaExecutable() {
        return javaExecutable(System.getProperty(JAVA_PROPERTY), System.getenv("JAVA_HOME"),
                Path.of(System.getProperty("java.home")), Path.of("/usr/lib/jvm"));
    }

    /**
     * The search of {@link #javaExecutable()} over given places, for tests.
     *
     * @throws IllegalStateException in one line naming every place tried and how to name one
     */
    static Path javaExecutable(final String explicit, final String javaHome, final Path running, final Path jvms) {
        final List<String> tried = new ArrayList<>();
        if (explicit != null && !explicit.isBlank()) {
            final Path path = Path.of(explicit);
            final Path home = Files.isRegularFile(path) ? path.getParent().getParent() : path;
            return usable(home, tried).orElseThrow(() -> new IllegalStateException(JAVA_PROPERTY + "=" + explicit
                    + " is not a Java " + MIN_JAVA + "+ installation: " + tried));
        }
        final List<Path> candidates = new ArrayList<>();
        if (javaHome != null && !javaHome.isBlank()) {
            candidates.add(Path.of(javaHome));
        }
        candidates.add(running);
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> dirs = Files.list(jvms)) {
                dirs.filter(Files::isDirectory)
                        .sorted(Comparator.comparingInt(ApicurioRegistry::featureVersion).reversed())
                        .forEach(candidates::add);
            } catch (final IOException e) {
                tried.add(jvms + ": " + e);
            }
        }
        for (final Path candidate : candidates) {
            final Optional<Path> java = usable(candidate, tried);
            if (java.isPresent()) {
                return java.get();
            }
        }
        throw new IllegalStateException("Apicurio Registry needs Java " + MIN_JAVA + " or newer and none was found; "
                + "install one under /usr/lib/jvm, point JAVA_HOME at it, or set -D" + JAVA_PROPERTY
                + "=<java home>. Tried: " + tried);
    }

    private static Optional<Path> usable(final Path home, final List<String> tried) {
        final int feature = featureVersion(home);
        final Path java = home.resolve("bin").resolve("java");
        if (feature >= MIN_JAVA && Files.isExecutable(java)) {
            return Optional.of(java);
        }
        tried.add(home + (feature < 0 ? " (no readable release file)" : " (Java " + feature + ")"));
        return Optional.empty();
    }

    /** The feature version in {@code home/release} ({@code JAVA_VERSION="21.0.2"} is 21), or -1. */
    static int featureVersion(final Path home) {
        final Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return -1;
        }
        try {
            for (final String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    return parseFeature(line.substring("JAVA_VERSION=".length()).replace("\"", "").trim());
                }
            }
        } catch (final IOException | UncheckedIOException e) {
            return -1;
        }
        return -1;
    }

    /** {@code "21.0.2"} gives 21, {@code "1.8.0_392"} gives 8, {@code "25"} gives 25; -1 if unparsable. */
    static int parseFeature(final String version) {
        final String[] parts = version.toLowerCase(Locale.ROOT).split("[._+-]");
        try {
            final int first = Integer.parseInt(parts[0]);
            return first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first;
        } catch (final NumberFormatException e) {
            return -1;
        }
    }
}
