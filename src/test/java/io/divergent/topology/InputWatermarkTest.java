package io.divergent.topology;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link InputWatermark}: the least of the event times of the input partitions still sending,
 * against its definition (docs/streaming.md, "Windows"), case by case and against a model that
 * recomputes it from scratch after every step.
 */
class InputWatermarkTest {

    private static final long NONE = InputWatermark.NONE;

    @Test
    void onePartitionIsItsLargestEventTimeAndNeverMovesBack() {
        final InputWatermark w = new InputWatermark(0, 0, 0, NONE);
        assertThat(w.value()).isEqualTo(NONE);
        assertThat(w.observe(0, 10, 0)).isEqualTo(10);
        assertThat(w.observe(0, 5, 0)).isEqualTo(10);
        assertThat(w.observe(0, 20, 0)).isEqualTo(20);
    }

    @Test
    void severalPartitionsAreTheLeastOfTheirLargestEventTimes() {
        final InputWatermark w = new InputWatermark(0, 0, 0, NONE);
        assertThat(w.observe(0, 100, 0)).isEqualTo(100);
        // Heard from: partition 1 holds the watermark where it is (never back), then moves it.
        assertThat(w.observe(1, 50, 0)).isEqualTo(100);
        assertThat(w.observe(1, 150, 0)).isEqualTo(100);
        assertThat(w.observe(0, 200, 0)).isEqualTo(150);
        assertThat(w.observe(1, 400, 0)).isEqualTo(200);
        assertThat(w.observe(3, 300, 0)).isEqualTo(200);
        assertThat(w.observe(0, 500, 0)).isEqualTo(300);
    }

    @Test
    void anAwaitedPartitionHoldsItFromTheStartUntilHeardFrom() {
        final InputWatermark w = new InputWatermark(2, 0, 0, NONE);
        assertThat(w.observe(0, 100, 0)).isEqualTo(NONE);
        assertThat(w.refresh(Long.MAX_VALUE / 2)).as("no idle timeout: awaited for ever").isEqualTo(NONE);
        assertThat(w.observe(1, 10, 0)).isEqualTo(10);
        assertThat(w.observe(1, 1_000, 0)).isEqualTo(100);
    }

    @Test
    void anAwaitedPartitionNeverHeardFromIsIdleOnceTheTimeoutHasPassedSinceTheStart() {
        final InputWatermark w = new InputWatermark(2, 1_000, 5_000, NONE);
        assertThat(w.observe(0, 100, 5_010)).isEqualTo(NONE);
        assertThat(w.refresh(5_999)).isEqualTo(NONE);
        assertThat(w.refresh(6_000)).isEqualTo(100);
    }

    @Test
    void aPartitionIdleForTheTimeoutHoldsNothingUntilItSendsAgain() {
        final InputWatermark w = new InputWatermark(0, 1_000, 0, NONE);
        w.observe(0, 10, 0);
        w.observe(1, 100, 0);
        assertThat(w.observe(1, 200, 500)).isEqualTo(10);
        assertThat(w.refresh(999)).as("partition 0 heard 999 ms ago").isEqualTo(10);
        assertThat(w.refresh(1_000)).as("partition 0 idle").isEqualTo(200);
        // Back with an old record: it holds again from where the watermark is, which does not move back.
        assertThat(w.observe(0, 50, 1_100)).isEqualTo(200);
        assertThat(w.observe(1, 400, 1_100)).isEqualTo(200);
        assertThat(w.observe(0, 300, 1_200)).isEqualTo(300);
    }

    @Test
    void withEveryPartitionIdleItIsTheLargestEventTimeHeard() {
        final InputWatermark w = new InputWatermark(0, 1_000, 0, NONE);
        w.observe(0, 100, 0);
        w.observe(1, 200, 0);
        assertThat(w.value()).isEqualTo(100);
        assertThat(w.refresh(5_000)).isEqualTo(200);
    }

    @Test
    void itStartsFromItsFloorAndTheIdleTaskRuleMovesItUp() {
        final InputWatermark w = new InputWatermark(0, 0, 0, 500);
        assertThat(w.observe(0, 100, 0)).isEqualTo(500);
        w.advanceTo(700);
        assertThat(w.value()).isEqualTo(700);
        w.advanceTo(600);
        assertThat(w.value()).isEqualTo(700);
        assertThat(w.observe(0, 900, 0)).isEqualTo(900);
    }

    @Test
    void negativeArgumentsAreRefused() {
        assertThatThrownBy(() -> new InputWatermark(-1, 0, 0, NONE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InputWatermark(0, -1, 0, NONE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InputWatermark(0, 0, 0, NONE).observe(-1, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> new InputWatermark(0, 0, 0, NONE).restore(-1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }

    /**
     * 2,000 random runs of 300 steps (observations from up to 40 partitions, some awaited, in and
     * out of order, and wall-clock steps with a refresh, as the punctuator does): after every step
     * the watermark equals the one recomputed from its definition over everything seen so far.
     * The wall clock moves only at refreshes, as the processor's idleness changes only there.
     */
    @Test
    void equalsItsDefinitionRecomputedAfterEveryStep() {
        final SplittableRandom random = new SplittableRandom(16);
        for (int run = 0; run < 2_000; run++) {
            final int partitions = 1 + random.nextInt(random.nextBoolean() ? 3 : 40);
            final int expected = random.nextInt(partitions + 1);
            final long idle = random.nextBoolean() ? 0 : 1 + random.nextInt(2_000);
            final long start = random.nextInt(1_000);
            final InputWatermark w = new InputWatermark(expected, idle, start, random.nextInt(4) == 0 ? 200 : NONE);
            final Model model = new Model(partitions, expected, idle, start, w.value());
            long now = start;
            for (int step = 0; step < 300; step++) {
                final long got;
                if (random.nextInt(8) == 0) {
                    now += random.nextInt(1_500);
                    got = w.refresh(now);
                } else {
                    final int p = random.nextInt(partitions);
                    final long t = Math.max(0, model.time[p] == NONE ? random.nextInt(1_000)
                            : model.time[p] + random.nextInt(300) - 100);
                    got = w.observe(p, t, now);
                    model.observe(p, t, now);
                }
                assertThat(got).as("run %d step %d", run, step).isEqualTo(model.value(now));
            }
        }
    }

    /** The definition, recomputed from scratch. */
    private static final class Model {
        final long[] time;
        final long[] heard;
        final int expected;
        final long idle;
        long value;

        Model(final int partitions, final int expected, final long idle, final long start, final long floor) {
            time = new long[partitions];
            heard = new long[partitions];
            Arrays.fill(time, NONE);
            Arrays.fill(heard, start);
            this.expected = expected;
            this.idle = idle;
            this.value = floor;
        }

        void observe(final int p, final long t, final long now) {
            time[p] = Math.max(time[p], t);
            heard[p] = now;
        }

        long value(final long now) {
            long min = Long.MAX_VALUE;
            long max = NONE;
            boolean any = false;
            for (int p = 0; p < time.length; p++) {
                if (time[p] == NONE && p >= expected) {
                    continue;
                }
                max = Math.max(max, time[p]);
                if (idle == 0 || now - heard[p] < idle) {
                    any = true;
                    min = Math.min(min, time[p]);
                }
            }
            final long candidate = any ? min : max;
            if (candidate != NONE) {
                value = Math.max(value, candidate);
            }
            return value;
        }
    }
}
