package io.divergent.topology;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.utils.ByteBufferOutputStream;
import org.apache.kafka.common.utils.ByteUtils;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Series ids (and category names) front-coded against the previous one of the same value, as
 * the store journals write them ({@link PaneJournal}, {@link VolumeJournal}): the number of
 * leading bytes shared with the previous id, then the length and bytes of the rest (varints,
 * Kafka's {@code ByteUtils}). Ids of one monitor written in sorted order share most of their
 * bytes. Not thread-safe; one per sequence of ids being written or read.
 */
final class FrontCoding {

    private byte[] previous = new byte[0];

    /** Appends an id (its UTF-8 bytes) to {@code body}. */
    void write(final byte[] id, final ByteBufferOutputStream body) {
        final int max = Math.min(previous.length, id.length);
        int shared = 0;
        while (shared < max && previous[shared] == id[shared]) {
            shared++;
        }
        body.ensureRemaining(10 + id.length - shared);
        ByteUtils.writeVarint(shared, body.buffer());
        ByteUtils.writeVarint(id.length - shared, body.buffer());
        body.buffer().put(id, shared, id.length - shared);
        previous = id;
    }

    /**
     * Reads the next id (its UTF-8 bytes).
     *
     * @param what names the value in the error
     * @throws SerializationException when the id claims more shared bytes than the previous one has
     */
    byte[] read(final ByteBuffer in, final String what) {
        final int shared = ByteUtils.readVarint(in);
        if (shared > previous.length) {
            throw new SerializationException(what + " shares " + shared + " bytes with an id of " + previous.length);
        }
        final byte[] id = Arrays.copyOf(Arrays.copyOf(previous, shared), shared + ByteUtils.readVarint(in));
        in.get(id, shared, id.length - shared);
        previous = id;
        return id;
    }

    /** Starts the next value: the next id shares nothing. */
    void reset() {
        previous = new byte[0];
    }
}
