package io.divergent.testing;

import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.divergent.local.EmbeddedKafkaBroker;

/**
 * One embedded Kafka broker shared by every integration test of this JVM, started on first use
 * and closed by a shutdown hook.
 *
 * <p>Tests sharing it must isolate themselves by name: take topic names and application ids
 * from {@link #uniqueName(String)}, and never stop or restart it (start a private
 * {@link EmbeddedKafkaBroker} for that).
 *
 * <p>Over {@link EmbeddedKafkaBroker#defaultConfig()} it sets {@link #OVERRIDES}: the broker's
 * settings that bound how long a test waits after a kill ({@link RunKeys#shortSession}).
 */
public final class SharedBroker {

    /**
     * Broker settings of the shared broker over the embedded defaults. A killed (or closed)
     * member is replaced only when its session expires, and a killed producer's open
     * transaction blocks {@code read_committed} readers of its partitions until the broker
     * aborts it: the broker allows sessions down to 1 s (default minimum 6 s) and looks for
     * timed-out transactions every second (default every 10 s, which added up to 10 s to each
     * takeover after a kill).
     */
    public static final Map<String, String> OVERRIDES = Map.of(
            "group.min.session.timeout.ms", "1000",
            "transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");

    private SharedBroker() {
    }

    /**
     * The shared broker, started on the first call.
     *
     * @return a running broker; never stop, restart or close it
     * @throws IllegalStateException if it cannot be started
     */
    public static EmbeddedKafkaBroker get() {
        return Holder.BROKER;
    }

    /**
     * The bootstrap servers of the shared broker, starting it on the first call.
     *
     * @return {@code host:port} for Kafka clients
     */
    public static String bootstrapServers() {
        return get().bootstrapServers();
    }

    /**
     * A name no other test of this JVM gets: {@code prefix-} followed by 8 random hex digits.
     *
     * @param prefix a readable prefix, such as the test's purpose
     * @return a valid, unique topic name or application id
     */
    public static String uniqueName(final String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    }

    /** Lazy holder: the class initialiser runs once, on first use, thread-safely. */
    private static final class Holder {
        static final EmbeddedKafkaBroker BROKER = startWithHook();

        private static EmbeddedKafkaBroker startWithHook() {
            final EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(null, OVERRIDES);
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "shared-broker-close"));
            return broker;
        }
    }
}
