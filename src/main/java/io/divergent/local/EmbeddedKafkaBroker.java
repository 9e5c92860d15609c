package io.divergent.local;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * A real single-node Apache Kafka broker (KRaft, combined broker and controller) running
 * inside this JVM, for {@code divergent demo}, the benchmark and the integration tests.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #start()} and {@link #start(Path, Map)} return only once the broker answers
 *       an Admin {@code describeCluster} on {@link #bootstrapServers()}, or throw
 *       {@link IllegalStateException} after {@link #STARTUP_TIMEOUT}. Transactions, consumer
 *       groups, share groups and Kafka Streams (classic and {@code streams} group protocols)
 *       work: every internal topic has replication factor 1.</li>
 *   <li>Both listeners bind to {@value #HOST} on ports picked at start; they are kept for the
 *       life of this object, so {@link #restart()} serves the same bootstrap address and the
 *       same data.</li>
 *   <li>Automatic topic creation is off: create topics explicitly (see {@link io.divergent.runtime.TopicManager}).</li>
 *   <li>While any embedded broker of this JVM is running, Kafka's {@link Exit} procedures
 *       are replaced: a broker fault that would halt or exit the JVM throws
 *       {@link IllegalStateException} in the faulting broker thread instead, and is kept for
 *       {@link #fault()}. The default procedures come back when the last broker stops.</li>
 *   <li>Close every client (producers, consumers, admin clients, {@code KafkaStreams}) before
 *       {@link #stop()} or {@link #close()}: a client whose broker is gone blocks in
 *       {@code send()} or {@code close()} until its own timeouts expire.</li>
 * </ul>
 *
 * <p>Methods are thread-safe (synchronized). This class uses Kafka's internal server classes
 * ({@code KafkaRaftServer}, {@code Formatter}), which may change in any Kafka release; the
 * integration test {@code EmbeddedKafkaBrokerIT} is there to fail loudly when they do.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    /** The host both listeners bind to and advertise. */
    public static final String HOST = "127.0.0.1";

    /** How long {@link #start()} and {@link #restart()} wait for a ready broker, in all. */
    public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    /** How long {@link #stop()} and {@link #close()} wait for the broker to shut down. */
    public static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String LOG_DIR_NAME = "kraft-combined-logs";
    private static final int PORT_ATTEMPTS = 3;

    /** Brokers of this JVM holding Kafka's exit procedures; they are ours while it is non-empty. */
    private static final Set<EmbeddedKafkaBroker> RUNNING = Collections.newSetFromMap(new IdentityHashMap<>());

    private final Path dataDir;
    private final boolean ownsDataDir;
    private final Map<String, String> overrides;
    private final AtomicReference<String> fault = new AtomicReference<>();
    private int brokerPort;
    private int controllerPort;
    private KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafkaBroker(final Path dataDir, final boolean ownsDataDir,
                                final Map<String, String> overrides) {
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        this.overrides = Map.copyOf(overrides);
    }

    /**
     * Starts a broker on a fresh temporary data directory, deleted by {@link #close()}.
     *
     * @return a running broker
     * @throws IllegalStateException if the broker is not ready within {@link #STARTUP_TIMEOUT}
     *         or fails to start
     */
    public static EmbeddedKafkaBroker start() {
        return start(null, Map.of());
    }

    /**
     * Starts a broker on the given data directory with extra broker properties.
     *
     * @param dataDir   the directory holding the broker's logs and metadata; created and
     *                  formatted if it holds no broker yet, reused as it is otherwise, and
     *                  never deleted. {@code null} means a fresh temporary directory that
     *                  {@link #close()} deletes.
     * @param overrides broker properties applied over the defaults of this class (see
     *                  {@link #defaultConfig()}); every key must be a known Kafka broker key
     *                  (or start with {@code listener.name.}) so that a misspelling fails here
     *                  instead of being ignored. Changing the listeners, {@code node.id},
     *                  {@code process.roles} or {@code log.dirs} is not supported.
     * @return a running broker
     * @throws IllegalArgumentException if an override key is not a Kafka broker key
     * @throws IllegalStateException    if the broker is not ready within
     *                                  {@link #STARTUP_TIMEOUT} or fails to start
     * @throws UncheckedIOException     if the data directory cannot be created
     */
    public static EmbeddedKafkaBroker start(final Path dataDir, final Map<String, String> overrides) {
        final Path dir;
        try {
            dir = dataDir == null ? Files.createTempDirectory("divergent-kafka-") : Files.createDirectories(dataDir);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot create the embedded Kafka data directory", e);
        }
        final EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dir, dataDir == null, overrides);
        try {
            broker.startWithFreshPorts();
        } catch (final RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /**
     * The broker properties this class sets before applying overrides, without the
     * listener, port and directory keys. Visible so that the settings are documented in one place.
     *
     * @return an unmodifiable, ordered map of broker properties
     */
    public static Map<String, String> defaultConfig() {
        final Map<String, String> config = new LinkedHashMap<>();
        // A single node can never meet the default replication factor 3 of the internal
        // topics: without these, groups and transactions never find a coordinator.
        config.put("offsets.topic.replication.factor", "1");
        config.put("offsets.topic.num.partitions", "4");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("transaction.state.log.num.partitions", "4");
        config.put("share.coordinator.state.topic.replication.factor", "1");
        config.put("share.coordinator.state.topic.min.isr", "1");
        config.put("default.replication.factor", "1");
        config.put("min.insync.replicas", "1");
        // Nobody else joins: waiting for more members only delays the first assignment.
        config.put("group.initial.rebalance.delay.ms", "0");
        config.put("group.streams.initial.rebalance.delay.ms", "0");
        // The streams protocol (KIP-1071) assigns tasks on heartbeats: 500 ms instead of 5 s
        // gets a new application its tasks in about 2 s instead of about 6 s.
        config.put("group.streams.min.heartbeat.interval.ms", "500");
        config.put("group.streams.heartbeat.interval.ms", "500");
        config.put("auto.create.topics.enable", "false");
        // No deletion by age: replayed and synthetic traffic carries event times of the past
        // (tests use times near 1970), and the broker's retention check (every 5 minutes)
        // deleted such records, not yet read, whole segments at a time: inputs vanished under
        // a running app, events and dead letters after they were written, and an idempotent
        // producer whose state went with the segments failed with OUT_OF_ORDER_SEQUENCE_NUMBER.
        // Topics may still set retention.ms themselves.
        config.put("log.retention.ms", "-1");
        // Two shared cores: the broker's default thread pools and its 128 MiB compaction
        // buffer are sized for a dedicated server.
        config.put("num.network.threads", "2");
        config.put("num.io.threads", "2");
        config.put("num.recovery.threads.per.data.dir", "1");
        config.put("log.cleaner.threads", "1");
        config.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
        return Collections.unmodifiableMap(config);
    }

    /**
     * The address clients use, {@code 127.0.0.1:PORT}; unchanged by {@link #restart()}.
     *
     * @return the bootstrap servers string for Kafka clients
     */
    public synchronized String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    /**
     * The directory holding the broker's data.
     *
     * @return the data directory given to {@link #start(Path, Map)}, or the temporary one
     */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Whether the broker is running (started and not stopped since).
     *
     * @return {@code true} between a successful start or restart and the next stop or close
     */
    public synchronized boolean isRunning() {
        return server != null;
    }

    /**
     * The first request to halt or exit the JVM that Kafka made since this broker last
     * started, if any. {@code Exit} does not say which broker asked, so when several embedded
     * brokers run, each of them records the request.
     *
     * @return the status and message Kafka passed to {@code Exit}, or empty
     */
    public Optional<String> fault() {
        return Optional.ofNullable(fault.get());
    }

    /**
     * Stops the broker, keeping its data and ports for {@link #restart()}. Does nothing if it
     * is not running. Waits at most {@link #SHUTDOWN_TIMEOUT}; past that the shutdown goes on
     * in a background daemon thread and a warning is logged.
     */
    public synchronized void stop() {
        if (server == null) {
            releaseExitProcedures();
            return;
        }
        final KafkaRaftServer stopping = server;
        server = null;
        final long began = System.nanoTime();
        final Thread shutdown = new Thread(() -> {
            stopping.shutdown();
            stopping.awaitShutdown();
        }, "embedded-kafka-shutdown");
        shutdown.setDaemon(true);
        shutdown.start();
        try {
            shutdown.join(SHUTDOWN_TIMEOUT.toMillis());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (shutdown.isAlive()) {
            // Keep our exit procedures: the straggler may still fault on its way down.
            LOG.warn("Embedded Kafka broker on {} did not shut down within {}; leaving it to finish in the background",
                    bootstrapServers(), SHUTDOWN_TIMEOUT);
            return;
        }
        LOG.debug("Embedded Kafka broker on {} stopped in {} ms", bootstrapServers(), elapsedMillis(began));
        releaseExitProcedures();
    }

    /**
     * Stops the broker if it runs and starts it again on the same ports and data directory:
     * topics, committed offsets and records survive.
     *
     * @throws IllegalStateException if the broker was closed, a port was taken meanwhile, or
     *                               it is not ready within {@link #STARTUP_TIMEOUT}
     */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("the embedded Kafka broker is closed");
        }
        stop();
        startOnCurrentPorts();
    }

    /**
     * Stops the broker (bounded as {@link #stop()}) and deletes its data directory if it is a
     * temporary one. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
        if (ownsDataDir) {
            deleteRecursively(dataDir);
        }
    }

    private void startWithFreshPorts() {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
            final int[] ports = freePorts(2);
            brokerPort = ports[0];
            controllerPort = ports[1];
            try {
                startOnCurrentPorts();
                return;
            } catch (final PortTakenException e) {
                // Another process bound a probed port between the probe and our bind.
                last = e;
                LOG.debug("Embedded Kafka broker could not bind its ports, attempt {}", attempt, e);
            }
        }
        throw new IllegalStateException("the embedded Kafka broker could not bind free ports", last);
    }

    private void startOnCurrentPorts() {
        final long began = System.nanoTime();
        final Path logDir = dataDir.resolve(LOG_DIR_NAME);
        final Map<String, String> config = brokerConfig(logDir);
        final KafkaConfig kafkaConfig = new KafkaConfig(config, false);
        requireKnownKeys(kafkaConfig, config);
        formatIfNeeded(logDir);
        fault.set(null);
        acquireExitProcedures();
        final long deadline = began + STARTUP_TIMEOUT.toNanos();
        try {
            server = new KafkaRaftServer(kafkaConfig, Time.SYSTEM);
            startBounded(server, deadline);
            awaitReady(deadline);
        } catch (final RuntimeException e) {
            stop();
            if (isBindFailure(e)) {
                throw new PortTakenException(e);
            }
            throw e;
        }
        LOG.info("Embedded Kafka broker ready on {} in {} ms", bootstrapServers(), elapsedMillis(began));
    }

    private Map<String, String> brokerConfig(final Path logDir) {
        final Map<String, String> config = new LinkedHashMap<>();
        config.put("node.id", Integer.toString(NODE_ID));
        config.put("process.roles", "broker,controller");
        config.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        config.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
        config.put("listener.security.protocol.map",
                BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        config.put("inter.broker.listener.name", BROKER_LISTENER);
        config.put("controller.listener.names", CONTROLLER_LISTENER);
        config.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        config.put("log.dirs", logDir.toAbsolutePath().toString());
        config.putAll(defaultConfig());
        config.putAll(overrides);
        return config;
    }

    private void formatIfNeeded(final Path logDir) {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        try {
            Files.createDirectories(logDir);
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(logDir.toAbsolutePath().toString()))
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .run();
        } catch (final Exception e) {
            throw new IllegalStateException("cannot format the embedded Kafka log directory " + logDir, e);
        }
    }

    /** Runs {@code startup()} in its own thread: a broker that never becomes ready must not hang us. */
    private static void startBounded(final KafkaRaftServer starting, final long deadline) {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread thread = new Thread(() -> {
            try {
                starting.startup();
            } catch (final Throwable t) {
                failure.set(t);
            }
        }, "embedded-kafka-startup");
        thread.setDaemon(true);
        thread.start();
        try {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the embedded Kafka broker was starting", e);
        }
        if (thread.isAlive()) {
            throw new IllegalStateException("the embedded Kafka broker did not start within " + STARTUP_TIMEOUT);
        }
        final Throwable t = failure.get();
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        if (t != null) {
            throw new IllegalStateException("the embedded Kafka broker failed to start", t);
        }
    }

    private void awaitReady(final long deadline) {
        final Map<String, Object> adminConfig = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        Exception last = null;
        final Admin admin = Admin.create(adminConfig);
        try {
            while (System.nanoTime() - deadline < 0) {
                failIfFaulted();
                try {
                    final int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(5_000))
                            .nodes().get(10, TimeUnit.SECONDS).size();
                    if (nodes > 0) {
                        return;
                    }
                } catch (final ExecutionException | TimeoutException e) {
                    last = e;
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the embedded Kafka broker", e);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        } finally {
            admin.close(Duration.ofSeconds(5));
        }
        throw new IllegalStateException("the embedded Kafka broker on " + bootstrapServers()
                + " did not answer describeCluster within " + STARTUP_TIMEOUT, last);
    }

    private void failIfFaulted() {
        final String f = fault.get();
        if (f != null) {
            throw new IllegalStateException("the embedded Kafka broker faulted: " + f);
        }
    }

    private void acquireExitProcedures() {
        synchronized (RUNNING) {
            if (RUNNING.isEmpty()) {
                Exit.setHaltProcedure((status, message) -> onFatal("halt", status, message));
                Exit.setExitProcedure((status, message) -> onFatal("exit", status, message));
            }
            RUNNING.add(this);
        }
    }

    private void releaseExitProcedures() {
        synchronized (RUNNING) {
            if (RUNNING.remove(this) && RUNNING.isEmpty()) {
                Exit.resetHaltProcedure();
                Exit.resetExitProcedure();
            }
        }
    }

    /** Exit carries no broker identity, so every running broker records the fault. */
    private static void onFatal(final String kind, final int status, final String message) {
        final String description = "Kafka asked to " + kind + " the JVM with status " + status
                + (message == null ? "" : ": " + message);
        synchronized (RUNNING) {
            for (final EmbeddedKafkaBroker broker : RUNNING) {
                broker.fault.compareAndSet(null, description);
            }
        }
        LOG.error("Embedded Kafka broker fault: {}; the JVM keeps running", description);
        throw new IllegalStateException(description);
    }

    private static boolean isBindFailure(final Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException
                    || (t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains("address already in use"))) {
                return true;
            }
        }
        return false;
    }

    /** Kafka ignores unknown keys without a word; a misspelled or retired key must fail here. */
    private void requireKnownKeys(final KafkaConfig kafkaConfig, final Map<String, String> config) {
        // values() holds every key the broker defines. The detour through Object spares us a
        // compile-time dependency on kafka-server, where KafkaConfig's superclass lives.
        final Set<String> known = ((AbstractConfig) (Object) kafkaConfig).values().keySet();
        for (final String key : config.keySet()) {
            if (known.contains(key) || key.startsWith("listener.name.")) {
                continue;
            }
            if (overrides.containsKey(key)) {
                throw new IllegalArgumentException("'" + key + "' is not a Kafka broker configuration key");
            }
            throw new IllegalStateException("this Kafka version no longer knows the broker key '" + key
                    + "' that EmbeddedKafkaBroker sets: update its configuration");
        }
    }

    private static int[] freePorts(final int count) {
        final ServerSocket[] sockets = new ServerSocket[count];
        try {
            // Hold all probes open at once so the ports are distinct.
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 0, InetAddress.getByName(HOST));
            }
            final int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + HOST, e);
        } finally {
            for (final ServerSocket socket : sockets) {
                closeQuietly(socket);
            }
        }
    }

    private static void closeQuietly(final ServerSocket socket) {
        if (socket == null) {
            return;
        }
        try {
            socket.close();
        } catch (final IOException e) {
            LOG.debug("ignored while closing a port probe", e);
        }
    }

    private static void deleteRecursively(final Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (final IOException e) {
                    LOG.debug("could not delete {}", path, e);
                }
            });
        } catch (final IOException | UncheckedIOException e) {
            LOG.warn("could not delete the embedded Kafka data directory {}", root, e);
        }
    }

    private static long elapsedMillis(final long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /** A start that failed because a listener port was already bound. */
    private static final class PortTakenException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PortTakenException(final Throwable cause) {
            super("a port of the embedded Kafka broker is already in use", cause);
        }
    }
}
