package io.divergent.testing;

import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A producer interceptor for a child {@code divergent run} that halts its JVM (as SIGKILL would)
 * the moment the broker has acknowledged the N-th record sent to a topic whose name ends with a
 * given suffix. With a changelog that only the window processor's commit hook writes (the panes
 * store's), the halt lands between that hook's writes and the commit that should cover them:
 * under exactly-once the offsets and the transaction are committed only after every record of
 * the commit is acknowledged, and the acknowledgement runs this callback first.
 *
 * <p>Configured by system properties of the child JVM, read once: {@value #SUFFIX} (the topic
 * name suffix), {@value #AFTER} (N) and {@value #TOMBSTONES} ({@code true}: N counts the
 * tombstones sent to that topic instead, and the halt comes with the next acknowledgement from
 * it, still before the commit). Exits with {@value #STATUS}.
 */
public final class HaltAfterAcks implements ProducerInterceptor<Object, Object> {

    /** System property: the suffix of the topic whose acknowledgements are counted. */
    public static final String SUFFIX = "divergent.test.halt.topic.suffix";
    /** System property: halt on this acknowledgement (1-based). */
    public static final String AFTER = "divergent.test.halt.after.acks";
    /** System property: {@code true} to count tombstones sent rather than records acknowledged. */
    public static final String TOMBSTONES = "divergent.test.halt.tombstones";
    /** The child's exit status after the halt. */
    public static final int STATUS = 86;

    private static final AtomicLong ACKS = new AtomicLong();
    private final String suffix = System.getProperty(SUFFIX, "\u0000none");
    private final long after = Long.getLong(AFTER, Long.MAX_VALUE);
    private final boolean tombstones = Boolean.getBoolean(TOMBSTONES);
    private static volatile boolean armed;

    @Override
    public ProducerRecord<Object, Object> onSend(final ProducerRecord<Object, Object> record) {
        if (tombstones && record.value() == null && record.topic().endsWith(suffix) && ACKS.incrementAndGet() == after) {
            armed = true;
        }
        return record;
    }

    @Override
    public void onAcknowledgement(final RecordMetadata metadata, final Exception exception) {
        if (exception != null || metadata == null || !metadata.topic().endsWith(suffix)) {
            return;
        }
        if (tombstones ? armed : ACKS.incrementAndGet() == after) {
            System.err.println("HaltAfterAcks: halting after acknowledgement " + after + " of " + metadata.topic()
                    + " (partition " + metadata.partition() + ", offset " + metadata.offset() + ")");
            System.err.flush();
            Runtime.getRuntime().halt(STATUS);
        }
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(final Map<String, ?> configs) {
    }
}
