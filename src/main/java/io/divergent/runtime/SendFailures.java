package io.divergent.runtime;

import io.divergent.topology.DeadLetter;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Kafka Streams' production exception handler for {@code run}: a record Divergent cannot write
 * (refused by the broker, failed to serialize) still stops the application, as Kafka Streams'
 * default does, because dropping an event or a dead letter would lose it silently; but the error
 * names the record that failed: for a dead letter, the input record it stands for (topic,
 * partition, offset, from its headers); for an event or alert, its topic and key (the series id).
 * Kafka Streams reports a failed send only at a later send, from the context of whatever record
 * is then in hand, so without this the error would name a different record.
 *
 * <p>Divergent's own output is sized to fit: categories and segment values are bounded, and a
 * dead letter is cut to the producer's {@code max.request.size} (see
 * {@code io.divergent.topology.DeadLetter}). What still reaches this handler is a cluster that
 * refuses what the producer accepts (a topic whose {@code max.message.bytes} is below
 * {@code max.request.size}, authorisation, a deleted topic).
 */
public final class SendFailures implements ProductionExceptionHandler {

    /**
     * Config key under which {@code run} passes an {@code AtomicReference<String>} that receives
     * the first failure's description, for the error line printed when the application stops.
     */
    public static final String REPORT_CONFIG = "divergent.send.failure.report";

    private static final Logger LOG = LoggerFactory.getLogger(SendFailures.class);

    private AtomicReference<String> report = new AtomicReference<>();

    /** Kafka Streams instantiates it by class name. */
    public SendFailures() {
    }

    @SuppressWarnings("unchecked")
    @Override
    public void configure(final Map<String, ?> configs) {
        if (configs.get(REPORT_CONFIG) instanceof AtomicReference<?> shared) {
            report = (AtomicReference<String>) shared;
        }
    }

    @Override
    public Response handleError(final ErrorHandlerContext context, final ProducerRecord<byte[], byte[]> record,
                                final Exception exception) {
        return fail("cannot write", context, record, exception);
    }

    @Override
    public Response handleSerializationError(final ErrorHandlerContext context, final ProducerRecord record,
                                             final Exception exception, final SerializationExceptionOrigin origin) {
        return fail("cannot serialize the " + origin.name().toLowerCase(java.util.Locale.ROOT) + " of the record going",
                context, record, exception);
    }

    private Response fail(final String what, final ErrorHandlerContext context, final ProducerRecord<?, ?> record,
                          final Exception exception) {
        final String description = what + " " + describe(record) + " (noticed while processing the input record at "
                + context.topic() + "-" + context.partition() + "@" + context.offset() + ", task " + context.taskId()
                + "): " + exception;
        LOG.error("Stopping: {}", description);
        report.compareAndSet(null, description);
        return Response.fail();
    }

    /**
     * Which record failed. A send fails asynchronously, so the handler's context is whatever record
     * is being processed when the failure is noticed; a dead letter names its own source in its
     * headers, and any other record is named by its topic and key.
     */
    private static String describe(final ProducerRecord<?, ?> record) {
        final String source = header(record, DeadLetter.TOPIC);
        if (source != null) {
            return "to topic '" + record.topic() + "' the " + header(record, DeadLetter.KIND) + " dead letter of the input record at "
                    + source + "-" + header(record, DeadLetter.PARTITION) + "@" + header(record, DeadLetter.OFFSET);
        }
        final Object key = record.key();
        final String text = key instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(key);
        return "to topic '" + record.topic() + "' the record with key '"
                + (text.length() > 200 ? text.substring(0, 200) + "..." : text) + "'";
    }

    private static String header(final ProducerRecord<?, ?> record, final String name) {
        final Header header = record.headers() == null ? null : record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
