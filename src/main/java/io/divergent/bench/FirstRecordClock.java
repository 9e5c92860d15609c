package io.divergent.bench;

import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Starts a Kafka Streams contender's clock when one of its stream threads first reads records:
 * a consumer interceptor on the main consumers ({@code main.consumer.interceptor.classes}), which
 * Kafka calls on the stream thread with every poll's records. The instance's state is no clock
 * with several stream threads: one thread can process the whole input while the instance still
 * rebalances for the other, long before the instance turns RUNNING.
 *
 * <p>A run registers its start action under its id ({@link #onFirstRecords}) and passes the id to
 * the interceptor in {@link #RUN_ID}; the action runs once, on the first non-empty poll of any of
 * the run's consumers. Runs are told apart by id, so runs in one JVM do not share a clock.
 */
public final class FirstRecordClock implements ConsumerInterceptor<Object, Object> {

    /** The consumer property that names the run whose clock this consumer starts. */
    public static final String RUN_ID = "divergent.bench.run.id";

    private static final Map<String, Runnable> STARTS = new ConcurrentHashMap<>();

    private volatile String run;

    /** Needed by Kafka, which instantiates interceptors by class name. */
    public FirstRecordClock() {
    }

    /** Registers what to do when the run's first records are read; replaces an earlier registration. */
    static void onFirstRecords(final String run, final Runnable start) {
        STARTS.put(run, start);
    }

    /** Forgets a run's action if it never ran (a run that failed before reading). */
    static void forget(final String run) {
        STARTS.remove(run);
    }

    @Override
    public void configure(final Map<String, ?> configs) {
        final Object id = configs.get(RUN_ID);
        run = id == null ? null : id.toString();
    }

    @Override
    public ConsumerRecords<Object, Object> onConsume(final ConsumerRecords<Object, Object> records) {
        final String id = run;
        if (id != null && !records.isEmpty()) {
            final Runnable start = STARTS.remove(id);
            if (start != null) {
                start.run();
            }
            run = null;
        }
        return records;
    }

    @Override
    public void onCommit(final Map<TopicPartition, OffsetAndMetadata> offsets) {
    }

    @Override
    public void close() {
    }
}
