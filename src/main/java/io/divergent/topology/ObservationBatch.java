package io.divergent.topology;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.utils.ByteUtils;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The value of one record on the observation batches repartition topic: the observations one
 * source task sent to one window partition between two flushes ({@link ObservationBatcher}), in
 * the order it saw them (issue 16, lever 3: a record, a send and a fetch per batch rather than per
 * observation).
 *
 * <p>Layout: the number of entries (unsigned varint), then the entries, each
 * <pre>
 * series ref, category ref, source partition (varint), source offset, event time, record timestamp
 * </pre>
 * where the three longs are zigzag varlongs of the difference to the entry before (the first to
 * 0), and a ref is an unsigned varint {@code n}: {@code n} less than the strings of its kind
 * seen so far in the batch names the {@code n}-th of them; {@code n} equal to that number
 * introduces a new one, whose UTF-8 length (unsigned varint) and bytes follow. The writer
 * remembers the strings of a batch in a lossy dictionary ({@link Writer#SLOTS} slots by hash, the
 * last string wins a slot: no map to grow per batch), so a series or a category is written once
 * per batch unless another string took its slot in between; the reader does not care which.
 * Repeated strings decode into one {@code String}, whose hash is then computed once.
 */
final class ObservationBatch {

    private ObservationBatch() {
    }

    /** What {@link #read} hands each entry to, in batch order. */
    interface Entry {
        void accept(String series, Observation observation, long timestamp);
    }

    /**
     * Reads a batch.
     *
     * @throws SerializationException if the bytes are not a whole batch (named with the topic)
     */
    static void read(final String topic, final byte[] batch, final Entry entry) {
        final ByteBuffer in = ByteBuffer.wrap(batch);
        final List<String> series = new ArrayList<>();
        final List<String> categories = new ArrayList<>();
        long offset = 0;
        long eventTime = 0;
        long timestamp = 0;
        final int count;
        try {
            count = ByteUtils.readUnsignedVarint(in);
        } catch (final RuntimeException e) {
            throw corrupt(topic, in, batch, e);
        }
        for (int i = 0; i < count; i++) {
            final String s;
            final String category;
            final int partition;
            // Only the decoding is guarded: what the entry's consumer throws is its own.
            try {
                s = ref(in, series);
                category = ref(in, categories);
                partition = ByteUtils.readVarint(in);
                offset += ByteUtils.readVarlong(in);
                eventTime += ByteUtils.readVarlong(in);
                timestamp += ByteUtils.readVarlong(in);
            } catch (final RuntimeException e) {
                throw corrupt(topic, in, batch, e);
            }
            entry.accept(s, new Observation(category, partition, offset, eventTime), timestamp);
        }
        if (in.hasRemaining()) {
            throw corrupt(topic, in, batch, new IllegalArgumentException(in.remaining() + " bytes after the last entry"));
        }
    }

    private static SerializationException corrupt(final String topic, final ByteBuffer in, final byte[] batch,
                                                  final RuntimeException e) {
        return new SerializationException("corrupt observation batch on " + topic + " at byte " + in.position()
                + " of " + batch.length + ": " + (e instanceof BufferUnderflowException
                ? "it ends inside an entry" : e.getMessage()), e);
    }

    private static String ref(final ByteBuffer in, final List<String> seen) {
        final int n = ByteUtils.readUnsignedVarint(in);
        if (n < seen.size()) {
            return seen.get(n);
        }
        if (n != seen.size()) {
            throw new IllegalArgumentException("reference " + n + " to one of " + seen.size() + " strings");
        }
        final int length = ByteUtils.readUnsignedVarint(in);
        if (length > in.remaining()) {
            throw new BufferUnderflowException();
        }
        final String value = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        seen.add(value);
        return value;
    }

    /**
     * Builds one batch; reusable after {@link #drain}, which keeps its buffer up to a size (a
     * source task has a writer per window partition). Not thread-safe.
     */
    static final class Writer {
        /** Worst case of an entry without its strings: 2 refs of 5 bytes, a varint of 5, three varlongs of 10. */
        private static final int MAX_ENTRY_WITHOUT_STRINGS = 2 * 5 + 5 + 3 * 10;
        /** Slots of each dictionary (a power of two). */
        static final int SLOTS = 1024;

        private final Dictionary series = new Dictionary();
        private final Dictionary categories = new Dictionary();
        private final int kept;
        private ByteBuffer out = ByteBuffer.allocate(1024);
        private long offset;
        private long eventTime;
        private long timestamp;
        private long maxTimestamp = Long.MIN_VALUE;
        private int entries;

        /** A writer that keeps a buffer of up to 4 KiB after {@link #drain}. */
        Writer() {
            this(4096);
        }

        /** @param kept the largest buffer, in bytes, that {@link #drain} keeps for the next batch */
        Writer(final int kept) {
            this.kept = kept;
        }

        /** Appends one observation of a series, with the timestamp of its input record. */
        void add(final String seriesId, final Observation observation, final long recordTimestamp) {
            ensure(MAX_ENTRY_WITHOUT_STRINGS);
            ref(seriesId, series);
            ref(observation.category(), categories);
            ByteUtils.writeVarint(observation.sourcePartition(), out);
            ByteUtils.writeVarlong(observation.sourceOffset() - offset, out);
            ByteUtils.writeVarlong(observation.eventTime() - eventTime, out);
            ByteUtils.writeVarlong(recordTimestamp - timestamp, out);
            offset = observation.sourceOffset();
            eventTime = observation.eventTime();
            timestamp = recordTimestamp;
            maxTimestamp = Math.max(maxTimestamp, recordTimestamp);
            entries++;
        }

        private void ref(final String value, final Dictionary seen) {
            final int known = seen.numberOf(value);
            if (known >= 0) {
                ByteUtils.writeUnsignedVarint(known, out);
                return;
            }
            final byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            ensure(5 + 5 + utf8.length + MAX_ENTRY_WITHOUT_STRINGS);
            ByteUtils.writeUnsignedVarint(seen.add(value), out);
            ByteUtils.writeUnsignedVarint(utf8.length, out);
            out.put(utf8);
        }

        private void ensure(final int bytes) {
            if (out.remaining() < bytes) {
                final ByteBuffer larger = ByteBuffer.allocate(Math.max(out.capacity() * 2, out.position() + bytes));
                larger.put(out.array(), 0, out.position());
                out = larger;
            }
        }

        /** The batch's entries so far, in bytes (without the count {@link #drain} puts before them). */
        int size() {
            return out.position();
        }

        /** True when nothing was added since the last {@link #drain}. */
        boolean isEmpty() {
            return entries == 0;
        }

        /** The largest record timestamp added since the last {@link #drain} ({@code Long.MIN_VALUE} if none). */
        long maxTimestamp() {
            return maxTimestamp;
        }

        /** The batch's bytes; the writer starts a new, empty batch. */
        byte[] drain() {
            final ByteBuffer batch = ByteBuffer.allocate(ByteUtils.sizeOfUnsignedVarint(entries) + out.position());
            ByteUtils.writeUnsignedVarint(entries, batch);
            batch.put(out.array(), 0, out.position());
            out = out.capacity() > kept ? ByteBuffer.allocate(1024) : out.clear();
            series.clear();
            categories.clear();
            offset = 0;
            eventTime = 0;
            timestamp = 0;
            maxTimestamp = Long.MIN_VALUE;
            entries = 0;
            return batch.array();
        }
    }

    /** The strings a batch has introduced, by number, as far as their slots still hold them. */
    private static final class Dictionary {
        private final String[] strings = new String[Writer.SLOTS];
        private final int[] numbers = new int[Writer.SLOTS];
        private int size;

        /** The number of a string the batch introduced, if its slot still holds it; else -1. */
        int numberOf(final String value) {
            final int slot = slot(value);
            final String known = strings[slot];
            return known != null && known.equals(value) ? numbers[slot] : -1;
        }

        /** Introduces a string: its number is the count of strings introduced before it. */
        int add(final String value) {
            final int slot = slot(value);
            strings[slot] = value;
            numbers[slot] = size;
            return size++;
        }

        void clear() {
            if (size > 0) {
                Arrays.fill(strings, null);
                size = 0;
            }
        }

        private static int slot(final String value) {
            final int h = value.hashCode();
            return (h ^ (h >>> 16)) & (Writer.SLOTS - 1);
        }
    }
}
