package io.divergent.topology;

/**
 * One validated reference version on its way to the window tasks: the weights in
 * {@link HistogramCodec} encoding, or {@link #TOMBSTONE} (empty bytes) for a removal.
 *
 * @param encoded the encoded histogram, or an empty array for a tombstone
 */
public record ReferenceVersion(byte[] encoded) implements Routed {

    /** A removal: from this record's timestamp on, the series has no reference. */
    public static final ReferenceVersion TOMBSTONE = new ReferenceVersion(new byte[0]);

    public boolean isTombstone() {
        return encoded.length == 0;
    }
}
