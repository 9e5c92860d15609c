package io.divergent.topology;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.utils.ByteBufferOutputStream;
import org.apache.kafka.common.utils.ByteUtils;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The volume store's layout (issue 16): a journal of what changed in a monitor's expected series
 * and their {@link VolumeHistory}, one value per commit, replayed in key order to rebuild them.
 * The only writer and reader of the layout: the window processor writes and restores with it.
 *
 * <p>Before, the store held one value per series, the whole history, rewritten at each of the
 * series' windows (on hopping windows at each advance): most of P's changelog bytes on hopping
 * windows (3.0 of 4.0 MB in a 300,000-record bench run) and a third of them on tumbling ones. A
 * window's change is one count; the journal writes that, and now and then the whole state.
 *
 * <p>Key: {@value #PREFIX} (a character no series id starts with: ids start with the monitor's
 * name) then the commit sequence in 16 lower-case hex digits, so the values sort in commit order
 * (the sequence is the task's, shared with the panes store, and only grows, across restarts too).
 * Any other key is a value of the first layout (series id -> its whole {@link VolumeHistory}),
 * read on restore and replaced by the journal at the next commit.
 *
 * <p>Value: a version byte ({@value #VERSION}), then entries to the end, each: an op, the series
 * id ({@link FrontCoding}: against the previous entry's id), and
 * <ul>
 *   <li>{@code SET}: the length and bytes of {@link VolumeHistory#encode()}: the series' whole
 *       history, which replaces what it had (a compaction writes every series so);</li>
 *   <li>{@code APPEND}: the window's end as the difference from the previous {@code APPEND}'s end
 *       in the value (the first: from 0) and its count: the series' history becomes
 *       {@link VolumeHistory#first} or {@link VolumeHistory#append}, as the processor did;</li>
 *   <li>{@code FORGET}: nothing: the series is no longer expected;</li>
 * </ul>
 * and {@code CLEAR}, an op without a series: no series is expected (a compaction starts with it,
 * so its {@code SET}s replace whatever values before it the store still holds).
 * Integers are Kafka's zig-zag varints ({@code ByteUtils}).
 */
final class VolumeJournal {

    /** Starts every journal key. */
    static final char PREFIX = '\u0000';
    /** The size at which a value is finished and the rest goes into the next (see {@link PaneJournal#MAX_VALUE_BYTES}). */
    static final int MAX_VALUE_BYTES = PaneJournal.MAX_VALUE_BYTES;

    private static final byte VERSION = 1;
    private static final int SET = 0;
    private static final int APPEND = 1;
    private static final int FORGET = 2;
    private static final int CLEAR = 3;

    private VolumeJournal() {
    }

    /** The key of the value a commit writes under {@code seq}. */
    static String key(final long seq) {
        final String hex = Long.toHexString(seq);
        return PREFIX + "0".repeat(16 - hex.length()) + hex;
    }

    /** Whether a key of the volume store is a journal key (else one of the first layout: a series id). */
    static boolean isJournalKey(final String key) {
        return !key.isEmpty() && key.charAt(0) == PREFIX;
    }

    /** The commit sequence of a journal key. */
    static long seqOf(final String key) {
        return Long.parseUnsignedLong(key.substring(1), 16);
    }

    /** Builds one value. Not thread-safe; reusable: {@link #finish} returns the value and starts the next one. */
    static final class Writer {
        private ByteBufferOutputStream body = fresh();
        /** The ids of this value, each written as what differs from the one before. */
        private final FrontCoding ids = new FrontCoding();
        private long lastEnd;
        private int entries;

        /** Whether nothing was added since the last {@link #finish}. */
        boolean isEmpty() {
            return entries == 0;
        }

        /** Whether the value reached {@link #MAX_VALUE_BYTES}: finish it before adding more. */
        boolean isFull() {
            return body.position() >= MAX_VALUE_BYTES;
        }

        /** The series' whole history. */
        void set(final String series, final VolumeHistory history) {
            entry(SET, series);
            final byte[] encoded = history.encode();
            body.ensureRemaining(5 + encoded.length);
            ByteUtils.writeVarint(encoded.length, body.buffer());
            body.buffer().put(encoded);
        }

        /** The count of the series' window ending at {@code end}, appended to its history. */
        void append(final String series, final long end, final long count) {
            entry(APPEND, series);
            body.ensureRemaining(20);
            ByteUtils.writeVarlong(end - lastEnd, body.buffer());
            ByteUtils.writeVarlong(count, body.buffer());
            lastEnd = end;
        }

        /** The series is no longer expected. */
        void forget(final String series) {
            entry(FORGET, series);
        }

        /** No series is expected (then {@link #set} each one that is). */
        void clear() {
            body.ensureRemaining(5);
            ByteUtils.writeVarint(CLEAR, body.buffer());
            entries++;
        }

        private void entry(final int op, final String series) {
            body.ensureRemaining(5);
            ByteUtils.writeVarint(op, body.buffer());
            ids.write(series.getBytes(StandardCharsets.UTF_8), body);
            entries++;
        }

        /** The value built, and a fresh start. */
        byte[] finish() {
            final ByteBuffer buffer = body.buffer();
            final byte[] value = new byte[buffer.position()];
            buffer.flip();
            buffer.get(value);
            body = fresh();
            ids.reset();
            lastEnd = 0;
            entries = 0;
            return value;
        }

        private static ByteBufferOutputStream fresh() {
            final ByteBufferOutputStream out = new ByteBufferOutputStream(256);
            out.write(VERSION);
            return out;
        }
    }

    /**
     * Applies one value's entries, in order, to the expected series and their histories.
     *
     * @param advance  the monitor's window advance, ms ({@link VolumeHistory#append})
     * @param capacity the counts a history keeps ({@link VolumeHistory#append})
     * @throws SerializationException for a value that is not of this layout
     */
    static void replay(final byte[] value, final Map<String, VolumeHistory> expected, final long advance,
                       final int capacity) {
        final ByteBuffer in = ByteBuffer.wrap(value);
        try {
            final byte version = in.get();
            if (version != VERSION) {
                throw new SerializationException("unknown volume journal version " + version);
            }
            long lastEnd = 0;
            final FrontCoding ids = new FrontCoding();
            while (in.hasRemaining()) {
                final int op = ByteUtils.readVarint(in);
                if (op == CLEAR) {
                    expected.clear();
                    continue;
                }
                final byte[] id = ids.read(in, "a volume journal value");
                final String series = new String(id, StandardCharsets.UTF_8);
                switch (op) {
                    case SET -> {
                        final byte[] history = new byte[ByteUtils.readVarint(in)];
                        in.get(history);
                        expected.put(series, VolumeHistory.decode(history));
                    }
                    case APPEND -> {
                        final long end = lastEnd + ByteUtils.readVarlong(in);
                        final long count = ByteUtils.readVarlong(in);
                        lastEnd = end;
                        final VolumeHistory before = expected.get(series);
                        expected.put(series, before == null ? VolumeHistory.first(end, count)
                                : before.append(end, advance, count, capacity));
                    }
                    case FORGET -> expected.remove(series);
                    default -> throw new SerializationException("unknown volume journal entry " + op);
                }
            }
        } catch (final BufferUnderflowException | IllegalArgumentException | NegativeArraySizeException e) {
            throw new SerializationException("a volume journal value ends early or is corrupt: " + e, e);
        }
    }
}
