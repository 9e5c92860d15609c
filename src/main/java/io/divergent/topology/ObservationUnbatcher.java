package io.divergent.topology;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The window processor of a repartitioned input: hands each observation of an
 * {@link ObservationBatch} to the window processor, in batch order, keyed by its series and with
 * its input record's timestamp: what the window processor saw when each observation was a
 * record of its own. A call rather than a Kafka Streams forward per observation (a processor
 * node's metrics, record context and exception handling, ~4% of the window task, issue 16);
 * the window processor forwards what it emits through this processor's context.
 */
final class ObservationUnbatcher implements Processor<Integer, byte[], String, Routed> {

    private final WindowProcessor windows;
    private ProcessorContext<String, Routed> context;

    /** @param windows the window processor the observations go to (this one initializes and closes it) */
    ObservationUnbatcher(final WindowProcessor windows) {
        this.windows = windows;
    }

    @Override
    public void init(final ProcessorContext<String, Routed> context) {
        this.context = context;
        windows.init(context);
    }

    @Override
    public void process(final Record<Integer, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        final String topic = context.recordMetadata().map(m -> m.topic()).orElse("the observation batches topic");
        ObservationBatch.read(topic, record.value(), windows::process);
    }

    @Override
    public void close() {
        windows.close();
    }
}
