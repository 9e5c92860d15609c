package io.divergent.config;

/** How bad a crossed threshold is; CRITICAL outranks WARNING. */
public enum Severity {
    WARNING,
    CRITICAL
}
