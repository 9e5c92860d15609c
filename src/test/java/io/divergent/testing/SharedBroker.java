package io.divergent.testing;

import java.util.Locale;
import java.util.UUID;

import io.divergent.local.EmbeddedKafkaBroker;

/**
 * One embedded Kafka broker shared by every integration test of this JVM, started on first use
 * and closed by a shutdown hook.
 *
 * <p>Tests sharing it must isolate themselves by name: take topic names and application ids
 * from {@link #uniqueName(String)}, and never stop or restart it (start a private
 * {@link EmbeddedKafkaBroker} for that).
 */
public final class SharedBroker {

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
            final EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "shared-broker-close"));
            return broker;
        }
    }
}
