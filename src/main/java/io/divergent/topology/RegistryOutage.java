package io.divergent.topology;

import io.divergent.serde.RegistryUnavailableException;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * What a processor does when a record needs a schema the registry cannot give right now
 * (unreachable, timing out, 5xx after the client's own retries): nothing is wrong with the
 * record, so it is neither dead-lettered nor skipped. The processor waits where it is, asking
 * again with exponential backoff (0.5 s doubling to 10 s), for at most {@link #MAX_WAIT};
 * records of schemas already cached never come here. Past that bound it gives up with an
 * error that stops the application (nothing after the last commit is lost: a restart resumes
 * there), because a stream thread blocked much longer would be dropped from its group anyway.
 *
 * <p>Why not hand the task back to Kafka Streams to retry it (a corrupted task, or a replaced
 * thread)? On Kafka Streams 4.3.1 under exactly-once both resumed past the records buffered
 * for the task instead of at its last commit, losing them (seen in {@code RegistryOutageIT}).
 * Waiting in place keeps the record in hand; if the wait outlasts the transaction timeout the
 * next send is fenced and Streams re-processes from the last commit through its regular
 * task-migration path.
 */
final class RegistryOutage {

    /** The longest a record waits for the registry, well below the default max.poll.interval.ms (5 minutes). */
    static final Duration MAX_WAIT = Duration.ofMinutes(2);

    private static final Logger LOG = LoggerFactory.getLogger(RegistryOutage.class);

    private RegistryOutage() {
    }

    /**
     * The registry failure {@code error} is, if the registry may recover from it.
     *
     * @param error what decoding threw
     * @return the unavailability, or empty for any other failure
     */
    static Optional<RegistryUnavailableException> of(final RuntimeException error) {
        return error instanceof RegistryUnavailableException outage ? Optional.of(outage) : Optional.empty();
    }

    /**
     * Runs {@code attempt} (a decode that may need the registry); while it fails because the
     * registry is unavailable, asks again with backoff.
     *
     * @param attempt  decodes the record
     * @param record   the record, for log lines
     * @param counted  called once per failed attempt (the {@code registry-unavailable-total} metric)
     * @return what {@code attempt} returns once the registry answers
     * @throws RuntimeException a failure of {@code attempt}, unchanged, when it is not registry
     *         unavailability (for example a schema id the registry does not know)
     * @throws StillUnavailable naming the registry and the record when it is still unavailable after {@link #MAX_WAIT}
     */
    static <T> T decode(final Supplier<T> attempt, final RecordMetadata record, final Runnable counted) {
        try {
            return attempt.get();
        } catch (final RuntimeException first) {
            return retry(first, attempt, record, counted);
        }
    }

    /**
     * {@link #decode} for a caller that made the first attempt itself, so that a record that
     * decodes at once costs no {@code Supplier} (the input's hot path: one per record otherwise).
     *
     * @param first what the caller's own attempt threw
     * @throws RuntimeException {@code first} itself, or a later failure, when it is not registry unavailability
     * @throws StillUnavailable as {@link #decode}
     */
    static <T> T retry(final RuntimeException first, final Supplier<T> attempt, final RecordMetadata record,
                       final Runnable counted) {
        return await(attempt, first, record.topic() + "-" + record.partition() + "@" + record.offset(), counted);
    }

    /** Tries {@code attempt} again after {@code first} failed, while the failures are registry unavailability. */
    private static <T> T await(final Supplier<T> attempt, final RuntimeException first, final String where,
                               final Runnable counted) {
        final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(10), MAX_WAIT);
        final long deadline = System.nanoTime() + MAX_WAIT.toNanos();
        RuntimeException failure = first;
        while (true) {
            final RuntimeException current = failure;
            final RegistryUnavailableException outage = of(current).orElseThrow(() -> current);
            counted.run();
            if (System.nanoTime() - deadline >= 0) {
                throw new StillUnavailable("Schema Registry " + outage.url() + " still unavailable after "
                        + MAX_WAIT.toSeconds() + " s for the record at " + where + ": " + outage.reason(), current);
            }
            final Duration pause = backoff.next();
            LOG.warn("Schema Registry {} unavailable for the record at {} ({}); asking again in {} ms",
                    outage.url(), where, outage.reason(), pause.toMillis());
            LockSupport.parkNanos(pause.toNanos());
            try {
                final T value = attempt.get();
                LOG.info("Schema Registry {} answered again; the record at {} goes on", outage.url(), where);
                return value;
            } catch (final RuntimeException e) {
                failure = e;
            }
        }
    }

    /**
     * The registry stayed unavailable past {@link #MAX_WAIT}: the one failure of a record that
     * stops the application on purpose (the record is fine; a restart resumes at it), never
     * dead-lettered.
     */
    static final class StillUnavailable extends IllegalStateException {
        StillUnavailable(final String message, final Throwable cause) {
            super(message, cause);
        }
    }
}
