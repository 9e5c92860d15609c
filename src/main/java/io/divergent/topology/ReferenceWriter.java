package io.divergent.topology;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores every version of every series' reference under (series, record timestamp), in the
 * window task that owns the series, so a window uses the reference as of its end whatever
 * order references and events arrive in. Reference records never touch stream time.
 */
final class ReferenceWriter implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(ReferenceWriter.class);

    private final String storeName;
    private KeyValueStore<Bytes, byte[]> references;

    /** @param storeName the reference-version store, connected to this processor by its supplier */
    ReferenceWriter(final String storeName) {
        this.storeName = storeName;
    }

    @Override
    public void init(final ProcessorContext<Void, Void> context) {
        this.references = context.getStateStore(storeName);
    }

    @Override
    public void process(final Record<String, byte[]> record) {
        references.put(StoreKeys.versionKey(record.key(), record.timestamp()), record.value());
        if (!LOG.isDebugEnabled()) {
            return;   // spares the decode below: one line per reference record is for debugging only
        }
        if (record.value().length == 0) {
            LOG.debug("Reference of series '{}' removed from timestamp {}", record.key(), record.timestamp());
        } else {
            final HistogramCodec.Stored stored = HistogramCodec.decode(record.value());
            LOG.debug("Reference of series '{}' as of timestamp {}: {} categories, total weight {}{}", record.key(),
                    record.timestamp(), stored.histogram().size(), stored.histogram().total(),
                    stored.source() == null ? "" : " (" + stored.source() + ")");
        }
    }
}
