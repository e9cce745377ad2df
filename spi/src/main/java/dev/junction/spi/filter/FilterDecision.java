package dev.junction.spi.filter;

import java.util.Objects;

/**
 * What a filter phase decided: go on to the next filter and the action, or stop here.
 *
 * @param proceeds whether the chain continues
 * @param reason why it stopped, for logs and metrics; empty when proceeding
 */
public record FilterDecision(boolean proceeds, String reason) {

    private static final FilterDecision PROCEED = new FilterDecision(true, "");

    /** Creates a decision. */
    public FilterDecision {
        Objects.requireNonNull(reason, "reason");
    }

    /** Returns the decision to continue. */
    public static FilterDecision proceed() {
        return PROCEED;
    }

    /** Returns the decision to stop with {@code reason}; the listener closes or rejects the traffic. */
    public static FilterDecision stop(String reason) {
        return new FilterDecision(false, reason);
    }
}
