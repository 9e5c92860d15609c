package io.divergent.topology;

import io.divergent.math.Histogram;
import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;

/** The window processor's decoded references: shared by content, bounded by a budget of categories. */
class DecodedReferencesTest {

    private static byte[] reference(final int categories, final String source) {
        final Histogram.Builder builder = Histogram.builder();
        for (int i = 0; i < categories; i++) {
            builder.add("c" + i, i + 1);
        }
        return HistogramCodec.encode(builder.build(), source);
    }

    @Test
    void equalBytesShareOneDecodedVersion() {
        final WindowProcessor.DecodedReferences decoded = new WindowProcessor.DecodedReferences(100);
        final HistogramCodec.Stored a = decoded.decode(reference(10, "s"));
        final HistogramCodec.Stored b = decoded.decode(reference(10, "s"));   // another series, same reference
        assertThat(b).isSameAs(a);
        assertThat(decoded).hasSize(1);
        assertThat(decoded.categories()).isEqualTo(10);
        assertThat(a.histogram().toMap()).containsEntry("c9", 10.0);
    }

    @Test
    void theLeastRecentlyUsedGoFirstOnceTheBudgetIsExceeded() {
        final WindowProcessor.DecodedReferences decoded = new WindowProcessor.DecodedReferences(25);
        final byte[] one = reference(10, "one");
        final byte[] two = reference(10, "two");
        decoded.decode(one);
        decoded.decode(two);
        decoded.decode(one);                              // one used last: two is the eldest
        decoded.decode(reference(10, "three"));           // 30 > 25: two goes
        assertThat(decoded.categories()).isEqualTo(20);
        assertThat(decoded.keySet()).extracting(k -> k.get().length).hasSize(2);
        assertThat(decoded.containsKey(org.apache.kafka.common.utils.Bytes.wrap(two))).isFalse();
        assertThat(decoded.containsKey(org.apache.kafka.common.utils.Bytes.wrap(one))).isTrue();
        // One version larger than the whole budget is still kept (the latest always is).
        decoded.decode(reference(40, "big"));
        assertThat(decoded).hasSize(1);
        assertThat(decoded.categories()).isEqualTo(40);
    }
}
