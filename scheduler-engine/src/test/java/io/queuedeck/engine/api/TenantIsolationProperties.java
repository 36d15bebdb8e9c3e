package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskView;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * No sequence of calls by one tenant's client (with every scope a tenant can hold) reveals or
 * changes another tenant's task: its tasks stay as they were, no answer carries their contents,
 * and a call naming one of their ids answers exactly as the same call naming an id that never existed.
 */
class TenantIsolationProperties {
    private static final String GLOBEX_TOKEN = "globex-token-0123456789abcdef0123456789";
    private static final String ADMIN_TOKEN = "admin-token-0123456789abcdef0123456789ab";
    private static final List<String> ACME_IDS = List.of("acme-0", "acme-1", "acme-2", "acme-3", "acme:acme-own");
    private static final List<String> GLOBEX_IDS = List.of("globex-0", "globex-1", "globex-2");

    private static Engine engine;
    private static ApiServer server;
    private static Http globex;
    private static Map<String, TaskView> acmeBefore;

    /** One call by globex's client; {@code id} and {@code other} come from both tenants' ids and unknown ones. */
    record Call(String kind, String id, String other, int priority, String filter) {
        Http.Response run(Http http) {
            return switch (kind) {
                case "get" -> http.get("/v1/tasks/" + id);
                case "delete" -> http.delete("/v1/tasks/" + id);
                case "patch" -> http.patch("/v1/tasks/" + id, "{\"priority\":" + priority + "}");
                case "place" -> http.patch("/v1/tasks/" + id, "{\"before\":\"" + other + "\"}");
                case "list" -> http.get("/v1/tasks?limit=1000" + filter);
                case "submit" -> http.post("/v1/tasks", "{\"model\":\"llama-2-7b\",\"input\":\"globex work\",\"priority\":"
                        + priority + (filter.isEmpty() ? "" : ",\"tenant\":\"" + filter.substring(8) + "\"") + "}");
                // a client-chosen id: another tenant's id must answer as one never used (decision 0075)
                case "submit-id" -> http.post("/v1/tasks", "{\"task_id\":\"" + id + "\",\"model\":\"llama-2-7b\","
                        + "\"input\":\"globex work\",\"priority\":" + priority + "}");
                case "batch-id" -> http.post("/v1/tasks:batch", "{\"tasks\":[{\"task_id\":\"" + id + "\",\"model\":"
                        + "\"llama-2-7b\",\"input\":\"globex work\",\"priority\":" + priority + "}]}");
                case "search" -> http.get("/v1/tasks?q=secret&limit=100" + filter);
                case "bulk" -> http.post("/v1/tasks:bulk", "{\"filter\":{\"id\":\"" + id + "\"},\"action\":\"cancel\"}");
                case "replay" -> http.post("/v1/callbacks/dead-letters/" + id + "/replay", "");
                default -> throw new IllegalArgumentException(kind);
            };
        }

        /** The same call with every acme id swapped for an id nobody ever used. */
        Call withoutAcme() {
            return new Call(kind, ghost(id), ghost(other), priority, filter);
        }

        /** Whether an id the call uses is acme's (list and submit use none; only place uses {@code other}). */
        boolean namesAcme() {
            return switch (kind) {
                case "get", "delete", "patch", "submit-id", "batch-id", "bulk", "replay" -> ACME_IDS.contains(id);
                case "place" -> ACME_IDS.contains(id) || ACME_IDS.contains(other);
                default -> false;
            };
        }

        private static String ghost(String id) {
            return ACME_IDS.contains(id) ? "ghost" + id.substring(4) : id.startsWith("acme:") ? "ghost:" + id.substring(5) : id;
        }
    }

    @BeforeContainer
    static void start() {
        engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join();
        server = ApiServer.builder(engine).port(0)
                .client(GLOBEX_TOKEN, ClientPolicy.scoped("globex", "globex", EnumSet.of(Scope.SUBMIT, Scope.READ, Scope.OPERATE)))
                .client(ADMIN_TOKEN, ClientPolicy.scoped("admin", null, EnumSet.of(Scope.ADMIN)))
                .build().start();
        Http admin = new Http(server.baseUri(), ADMIN_TOKEN);
        for (String id : ACME_IDS) {
            assertThat(admin.post("/v1/tasks", "{\"task_id\":\"" + id + "\",\"model\":\"llama-2-7b\",\"input\":"
                    + "\"secret of acme\",\"priority\":4,\"tenant\":\"acme\",\"metadata\":{\"k\":\"acme-meta\"}}").status())
                    .isEqualTo(202);
        }
        globex = new Http(server.baseUri(), GLOBEX_TOKEN);
        for (String id : GLOBEX_IDS) {
            assertThat(globex.post("/v1/tasks", "{\"task_id\":\"" + id + "\",\"model\":\"llama-2-7b\",\"input\":\"g\"}")
                    .status()).isEqualTo(202);
        }
        acmeBefore = acmeTasks();
    }

    @AfterContainer
    static void stop() {
        server.close();
        engine.close();
    }

    private static Map<String, TaskView> acmeTasks() {
        Map<String, TaskView> views = new LinkedHashMap<>();
        for (String id : ACME_IDS) {
            views.put(id, engine.send(new Command.FindTask(id)).join().orElseThrow());
        }
        return views;
    }

    @Provide
    Arbitrary<List<Call>> calls() {
        Arbitrary<String> ids = Arbitraries.of(List.of("acme-0", "acme-1", "acme-2", "acme-3", "globex-0", "globex-1",
                "globex-2", "nobody", "acme:acme-own", "globex:globex-1"));
        Arbitrary<Call> call = Combinators.combine(
                Arbitraries.of("get", "delete", "patch", "place", "list", "submit", "submit-id", "batch-id", "search", "bulk",
                        "replay"), ids, ids,
                Arbitraries.integers().between(0, 9),
                Arbitraries.of("", "&tenant=acme", "&tenant=globex", "&state=queued", "&state=cancelled"))
                .as(Call::new);
        return call.list().ofMinSize(1).ofMaxSize(12);
    }

    @Property(tries = 60)
    void anotherTenantsClient_neitherSeesNorChangesAcmesTasks(@ForAll("calls") List<Call> calls) {
        for (Call call : calls) {
            Http.Response response = call.run(globex);

            assertThat(response.body()).as("%s", call).doesNotContain("secret of acme").doesNotContain("acme-meta")
                    .doesNotContain("\"tenant\":\"acme\"");
            if (call.namesAcme()) {
                Http.Response ghost = call.withoutAcme().run(globex);
                assertThat(response.status()).as("%s: %s", call, response.body()).isEqualTo(ghost.status());
                assertThat(response.errorCode()).as("%s", call).isEqualTo(ghost.errorCode());
            }
            if ((call.kind().equals("list") || call.kind().equals("search")) && response.status() == 200) {
                response.json().get("tasks").forEach(task -> assertThat(task.get("tenant").asText()).isEqualTo("globex"));
            }
        }
        Map<String, TaskView> after = acmeTasks();
        for (String id : ACME_IDS) {
            assertThat(after.get(id).state()).isEqualTo(acmeBefore.get(id).state());
            assertThat(after.get(id).priority()).isEqualTo(acmeBefore.get(id).priority());
            assertThat(after.get(id).spec()).isEqualTo(acmeBefore.get(id).spec());
        }
    }
}
