package io.queuedeck.engine.exec.openai;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.api.ApiServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The test fixture for real backends: a {@link FakeOpenAiServer}, an {@link OpenAiExecutor} in
 * front of it, a started engine on that executor and, when asked, the REST API with the
 * OpenAI-compatible front door. Closed in the reverse order. One shared setup, so the tests of the
 * executor, the front door and the instance routes build the same system.
 */
public final class FakeBackendRig implements AutoCloseable {
    private final FakeOpenAiServer fake;
    private final OpenAiExecutor executor;
    private final Engine engine;
    private final ApiServer server;

    private FakeBackendRig(FakeOpenAiServer fake, OpenAiExecutor executor, Engine engine, ApiServer server) {
        this.fake = fake;
        this.executor = executor;
        this.engine = engine;
        this.server = server;
    }

    /** A rig whose fake server serves {@code model}. */
    public static Setup serving(String model) {
        return new Setup(model);
    }

    public FakeOpenAiServer fake() {
        return fake;
    }

    public OpenAiExecutor executor() {
        return executor;
    }

    public Engine engine() {
        return engine;
    }

    /** The REST API; only when {@link Setup#api} was asked for. */
    public ApiServer server() {
        if (server == null) {
            throw new IllegalStateException("this rig was started without the API");
        }
        return server;
    }

    public URI baseUri() {
        return server().baseUri();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        engine.close();
        executor.close();
        fake.close();
    }

    /** What to start. Defaults: 4 slots, models named on the backend, snapshots every 10 ms, no API. */
    public static final class Setup {
        private final String model;
        private FakeOpenAiServer.Script script;
        private boolean continuing;
        private int slots = 4;
        private boolean namedModels = true;
        private Consumer<OpenAiExecutorBuilder> executorSettings = b -> { };
        private Consumer<Engine.Builder> engineSettings = b -> { };
        private Consumer<ApiServer.Builder> apiSettings;
        private Consumer<FakeOpenAiServer> fakeSettings = f -> { };

        private Setup(String model) {
            this.model = model;
        }

        /** The fake server answers every request with {@code value} unless told otherwise. */
        public Setup script(FakeOpenAiServer.Script value) {
            script = value;
            return this;
        }

        /** The fake server continues a chunked generation's text (see {@link FakeOpenAiServer#continuing}). */
        public Setup continuing() {
            continuing = true;
            return this;
        }

        public Setup slots(int value) {
            slots = value;
            return this;
        }

        /** The backend names no models: the executor asks {@code GET /v1/models}. */
        public Setup discoverModels() {
            namedModels = false;
            return this;
        }

        public Setup fake(Consumer<FakeOpenAiServer> settings) {
            fakeSettings = settings;
            return this;
        }

        public Setup executor(Consumer<OpenAiExecutorBuilder> settings) {
            executorSettings = settings;
            return this;
        }

        public Setup engine(Consumer<Engine.Builder> settings) {
            engineSettings = settings;
            return this;
        }

        /** Also serve the REST API with the front door, on a free loopback port, virtual threads. */
        public Setup api(Consumer<ApiServer.Builder> settings) {
            apiSettings = settings;
            return this;
        }

        public Setup api() {
            return api(b -> { });
        }

        public FakeBackendRig start() throws Exception {
            FakeOpenAiServer fake = new FakeOpenAiServer(model);
            try {
                if (continuing) {
                    fake.continuing();
                }
                if (script != null) {
                    fake.byDefault(script);
                }
                fakeSettings.accept(fake);
                Backend backend = Backend.at(fake.url()).withSlots(slots);
                OpenAiExecutorBuilder eb = OpenAiExecutor.builder().backend(namedModels ? backend.withModels(List.of(model)) : backend);
                executorSettings.accept(eb);
                OpenAiExecutor executor = eb.build();
                Engine.Builder engineBuilder = Engine.builder().executor(executor).snapshotInterval(Duration.ofMillis(10));
                engineSettings.accept(engineBuilder);
                Engine engine = engineBuilder.build();
                engine.start();
                ApiServer server = null;
                if (apiSettings != null) {
                    ApiServer.Builder ab = ApiServer.builder(engine).port(0).virtualThreads()
                            .openAiFrontDoor(executor.models(), executor.streams());
                    apiSettings.accept(ab);
                    server = ab.build().start();
                }
                return new FakeBackendRig(fake, executor, engine, server);
            } catch (Exception | Error e) {
                fake.close();
                throw e;
            }
        }
    }
}
