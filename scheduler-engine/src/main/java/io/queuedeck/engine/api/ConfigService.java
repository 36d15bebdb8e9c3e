package io.queuedeck.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * The running config as the REST API serves it ({@code /v1/config}, {@code /v1/canary}; docs/api):
 * implemented by the control plane, which this package does not know. Every answer is a value
 * the API writes as JSON; a refusal is a {@link Refused} with every problem.
 */
public interface ConfigService {
    /** {@code {"version", "applied_at", "source", "config", "last_error"}}. */
    Object status();

    /** The versions applied, oldest first, each with its diff against the one before. */
    Object history();

    /**
     * Applies a new version of the whole config file, YAML or JSON.
     *
     * @param source who sent it, for the history ({@code PUT /v1/config by admin})
     * @throws Refused 400 {@code invalid_config} with every problem; the running config stays
     */
    Object apply(String text, String source);

    /**
     * As {@link #apply(String, String)} when the running version is {@code expected} (null: any), checked
     * with the change under one lock: {@code If-Match}, so that of two operators the second does not undo
     * the first unseen. @throws Refused 412 {@code version_changed} when another version runs
     */
    Applied apply(String text, String source, Integer expected);

    /** Applies an earlier version's text again, as a new version. @throws Refused 404 for an unknown version */
    Object rollback(int version, String source);

    /** As {@link #rollback(int, String)} when the running version is {@code expected} (null: any). */
    Applied rollback(int version, String source, Integer expected);

    /**
     * What one change of the running config did, decided under the lock that made it: a version read
     * before and after it could be another request's, so two PUTs of one text at once were audited twice.
     *
     * @param status     the answer ({@link #status()} as the change left it)
     * @param version    the version that runs after it: the one it made, or the one it left running
     * @param newVersion whether this change made that version (false: it read as the running config)
     */
    record Applied(Object status, int version, boolean newVersion) {}

    /** The running version's number, for an {@code ETag}. */
    int version();

    /** The canary, if one runs, and its comparison with stable. */
    Object canary();

    /** Starts a canary. @throws Refused 400 on a bad request or candidate, 409 when one runs already */
    CanaryChange startCanary(CanaryRequest request, String source);

    /** As {@link #startCanary(CanaryRequest, String)} when the running version is {@code expected} (null: any). */
    CanaryChange startCanary(CanaryRequest request, String source, Integer expected);

    /** Makes the canary's candidate the running config. @throws Refused 409 when none runs */
    CanaryChange promoteCanary(String source);

    /** Ends the canary; new tasks are all classified by the running config again. @throws Refused 409 when none runs */
    CanaryChange rollbackCanary(String source);

    /**
     * What a canary's start, promotion or rollback did, decided under the lock that made it: the version
     * read after the call could be another request's (a PUT that landed once the canary had ended), so
     * the audit trail named it as the canary's.
     *
     * @param status  the answer: the canary's status, or the config's after a promotion
     * @param version the config version the canary ran beside (start, rollback) or the one its promotion made
     */
    record CanaryChange(Object status, int version) {}

    /** A task reached its final state (a completion feed listener): a canary's comparison counts it. */
    void finished(io.queuedeck.engine.task.TaskView view);

    /**
     * The body of {@code PUT /v1/canary}.
     *
     * @param config       the candidate config file, as text (YAML or JSON); only its reloadable sections may differ
     * @param by           {@code task_id} (default), {@code tenant}, {@code business_class} or {@code metadata.KEY}
     * @param fraction     with {@code task_id}: the share of new tasks the canary takes (default 0.1)
     * @param values       with a label: the values the canary takes
     * @param autoRollback when to roll the canary back by itself; null for never
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record CanaryRequest(JsonNode config, String by, Double fraction, List<String> values, AutoRollback autoRollback) {}

    /**
     * Automatic rollback: over each {@code window}, once both releases finished {@code min_tasks},
     * the canary is rolled back when its p99 end-to-end latency (by business class), its share of
     * rejected or its share of deadline misses is worse than stable's by more than {@code margin}.
     *
     * @param margin   relative, 0.2 for 20% worse
     * @param window   a duration such as {@code 5m}
     * @param minTasks finished tasks each release needs in a window before it is judged
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record AutoRollback(Double margin, String window, Integer minTasks) {}

    /** A refusal with its HTTP status, error code and every problem (each naming its key path and line). */
    final class Refused extends RuntimeException {
        private final int status;
        private final String code;
        private final List<String> problems;

        /** Problems listed in an answer, a log line or {@code last_error}; the rest are counted. */
        public static final int MAX_PROBLEMS = 100;
        /** Characters of one problem: a value it quotes came from the sender. */
        public static final int MAX_PROBLEM_CHARS = 300;

        public Refused(int status, String code, List<String> problems) {
            super(String.join("\n", bounded(problems)));
            this.status = status;
            this.code = code;
            this.problems = bounded(problems);
        }

        /**
         * At most {@value #MAX_PROBLEMS} problems of at most {@value #MAX_PROBLEM_CHARS} characters,
         * and how many more there were: 60,000 unknown keys made an 8.5 MB answer and as much log.
         */
        public static List<String> bounded(List<String> problems) {
            List<String> shown = new java.util.ArrayList<>(Math.min(problems.size(), MAX_PROBLEMS + 1));
            for (int i = 0; i < problems.size() && i < MAX_PROBLEMS; i++) {
                String p = problems.get(i);
                shown.add(p.length() <= MAX_PROBLEM_CHARS ? p : p.substring(0, MAX_PROBLEM_CHARS - 1) + "…");
            }
            if (problems.size() > MAX_PROBLEMS) {
                shown.add("… and " + (problems.size() - MAX_PROBLEMS) + " more problems");
            }
            return List.copyOf(shown);
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }

        public List<String> problems() {
            return problems;
        }
    }
}
