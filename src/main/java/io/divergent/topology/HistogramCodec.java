package io.divergent.topology;

import io.divergent.math.BaselineKind;
import io.divergent.math.Histogram;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Store encoding of a histogram with an optional source label, for the reference versions and
 * the per-series window history: {@code [K: 4] K x ([length: 4][category UTF-8][weight: 8])
 * [source length: 4, -1 for none][source UTF-8][kind: 1, optional]}. Categories are written in
 * the histogram's sorted order, so decoding needs no sort.
 *
 * <p>The kind byte (issue 13) is written only for a {@link BaselineKind#SAMPLE} reference (value
 * {@value #SAMPLE}): a {@link BaselineKind#FIXED} one encodes exactly as before, and a value
 * stored before the byte existed decodes as {@code FIXED}, the behaviour it was stored under.
 */
final class HistogramCodec {

    /** A decoded value: the weights, where they came from (may be null) and what they are. */
    record Stored(Histogram histogram, String source, BaselineKind kind) {
    }

    private static final byte SAMPLE = 1;

    private HistogramCodec() {
    }

    static byte[] encode(final Histogram histogram, final String source) {
        return encode(histogram, source, BaselineKind.FIXED);
    }

    static byte[] encode(final Histogram histogram, final String source, final BaselineKind kind) {
        final byte[][] names = new byte[histogram.size()][];
        int size = 4 + 4;
        for (int i = 0; i < names.length; i++) {
            names[i] = histogram.category(i).getBytes(StandardCharsets.UTF_8);
            size += 4 + names[i].length + 8;
        }
        final byte[] label = source == null ? null : source.getBytes(StandardCharsets.UTF_8);
        size += label == null ? 0 : label.length;
        size += kind == BaselineKind.SAMPLE ? 1 : 0;
        final ByteBuffer buffer = ByteBuffer.allocate(size).putInt(names.length);
        for (int i = 0; i < names.length; i++) {
            buffer.putInt(names[i].length).put(names[i]).putDouble(histogram.weight(i));
        }
        if (label == null) {
            buffer.putInt(-1);
        } else {
            buffer.putInt(label.length).put(label);
        }
        if (kind == BaselineKind.SAMPLE) {
            buffer.put(SAMPLE);
        }
        return buffer.array();
    }

    static Stored decode(final byte[] bytes) {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        final int k = buffer.getInt();
        final String[] categories = new String[k];
        final double[] weights = new double[k];
        for (int i = 0; i < k; i++) {
            final int length = buffer.getInt();
            categories[i] = new String(bytes, buffer.position(), length, StandardCharsets.UTF_8);
            buffer.position(buffer.position() + length);
            weights[i] = buffer.getDouble();
        }
        final int labelLength = buffer.getInt();
        final String source = labelLength < 0 ? null
                : new String(bytes, buffer.position(), labelLength, StandardCharsets.UTF_8);
        buffer.position(buffer.position() + Math.max(0, labelLength));
        final BaselineKind kind = buffer.hasRemaining() && buffer.get() == SAMPLE ? BaselineKind.SAMPLE : BaselineKind.FIXED;
        return new Stored(Histogram.ofSorted(categories, weights), source, kind);
    }
}
