package io.divergent.bench;

import io.divergent.math.BaselineKind;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.divergent.math.Divergence;
import io.divergent.math.DivergenceCalculator;
import io.divergent.math.Histogram;
import io.divergent.math.NoDrift;
import io.divergent.math.NoDriftCalibrator;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One {@link DivergenceCalculator#compute} call (every measure, top 5 contributors) between a
 * window and a reference over K categories.
 *
 * <p>Data: a Zipf(1.1) reference of about 10^6 counts per K categories, and a window of about
 * 50 counts per category drawn around it with +-30% log-normal noise, about 2% of the
 * reference's categories absent from the window and 1% of the window's categories new to the
 * reference. Smoothing alpha = 0.5, bits. The two histograms have their own String instances
 * (as after deserialisation), so the union merge compares strings for real.
 *
 * <p>Run: {@code mvn -B -Pbench package -DskipTests && java -jar target/benchmarks.jar
 * DivergenceBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DivergenceBenchmark {

    @Param({"10", "1000", "100000"})
    public int categories;

    private Histogram observed;
    private Histogram reference;
    private Histogram smallWindow;
    private DivergenceCalculator calculator;

    @Setup
    public void setUp() {
        final SplittableRandom random = new SplittableRandom(20_240_601L);
        final Histogram.Builder window = Histogram.builder();
        final Histogram.Builder baseline = Histogram.builder();
        double norm = 0;
        for (int rank = 1; rank <= categories; rank++) {
            norm += Math.pow(rank, -1.1);
        }
        for (int i = 0; i < categories; i++) {
            final double share = Math.pow(i + 1, -1.1) / norm;
            final double u = random.nextDouble();
            final String name = "category-" + i;
            if (u >= 0.01) {
                baseline.add(new String(name), Math.max(1, Math.rint(share * 1e6 * categories)));
            }
            if (u < 0.01 || u >= 0.03) {
                final double noise = Math.exp(0.3 * gaussian(random));
                window.add(new String(name), Math.rint(share * 50.0 * categories * noise));
            }
        }
        observed = window.build();
        reference = baseline.build();
        // 400 events drawn from the reference: the small-count regime (multinomial simulation).
        final double[] cumulative = new double[reference.size()];
        double total = 0;
        for (int i = 0; i < cumulative.length; i++) {
            total += reference.weight(i);
            cumulative[i] = total;
        }
        final Histogram.Builder small = Histogram.builder();
        for (int e = 0; e < 400; e++) {
            final int found = java.util.Arrays.binarySearch(cumulative, random.nextDouble() * total);
            small.add(new String(reference.category(Math.min(cumulative.length - 1, found >= 0 ? found + 1 : -found - 1))), 1);
        }
        smallWindow = small.build();
        calculator = DivergenceCalculator.withDefaults().withAlpha(0.5);
    }

    @Benchmark
    public Divergence compute() {
        return calculator.compute(observed, reference);
    }

    /**
     * The whole per-event math with the no-drift calibration (issue 13), window of about 50 events
     * per category: large counts at K = 10, chi-square plus a normal approximation above
     * {@link NoDriftCalibrator#GAUSSIAN_MAX_CATEGORIES}.
     */
    @Benchmark
    public NoDrift computeWithNoDrift(final Blackhole hole) {
        hole.consume(calculator.compute(observed, reference));
        return NoDriftCalibrator.instance().calibrate(observed, reference, BaselineKind.FIXED,
                calculator.alpha(), calculator.unit(), 42);
    }

    /** As {@link #computeWithNoDrift} with a window of 400 events: small counts, multinomial simulation. */
    @Benchmark
    public NoDrift computeWithNoDriftSmallWindow(final Blackhole hole) {
        hole.consume(calculator.compute(smallWindow, reference));
        return NoDriftCalibrator.instance().calibrate(smallWindow, reference, BaselineKind.FIXED,
                calculator.alpha(), calculator.unit(), 42);
    }

    private static double gaussian(final SplittableRandom random) {
        // Box-Muller; one of the pair is enough here.
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
