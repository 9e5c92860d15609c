package io.divergent.bench;

import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * A contender whose engine is not in the product jar (B4H, B4R: Apache Flink), found with
 * {@link ServiceLoader}: the Flink bench jar ({@code mvn -Pflink package}) registers one in
 * {@code META-INF/services}; the product jar has none, so these contenders are refused there.
 */
interface ExternalContender {

    /** Whether this implementation runs the contender. */
    boolean runs(Contender contender);

    /**
     * One measured run over a pre-filled input, with the same figures as the other contenders.
     *
     * @param contender one that {@link #runs} accepts
     * @param id        the run's unique id (application / group id, state directory name)
     * @param runner    the bench's broker, registry scope and state root
     * @param input     the workload's input, filled once
     * @return the figures of the run
     */
    Measurement run(Contender contender, String id, BenchRunner runner, BenchRunner.Input input);

    /** The implementation on the classpath that runs a contender, if any. */
    static Optional<ExternalContender> find(final Contender contender) {
        try {
            return ServiceLoader.load(ExternalContender.class).stream().map(ServiceLoader.Provider::get)
                    .filter(external -> external.runs(contender)).findFirst();
        } catch (final ServiceConfigurationError | LinkageError e) {
            // A provider whose engine is missing from the classpath: as good as none.
            return Optional.empty();
        }
    }
}
