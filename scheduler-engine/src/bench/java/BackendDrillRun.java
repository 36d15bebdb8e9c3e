import io.queuedeck.engine.cli.Main;
import io.queuedeck.engine.exec.openai.FakeOpenAiServer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs a drill of real backends (target.backends) live against two fresh local OpenAI-compatible
 * servers (the test server, 8 tokens, first after 20 ms, then every 5 ms) substituted for the
 * file's placeholders http://127.0.0.1:8001 and :8002, as BackendDrillTest does, and writes its
 * report. An optional pair of arguments edits the drill's text (FROM TO), as the broken variants do.
 * Run like FrontDoorBench:
 *   java -cp scheduler-engine/target/classes:scheduler-engine/target/test-classes:$(cat /tmp/cp.txt) \
 *       scheduler-engine/src/bench/java/BackendDrillRun.java resources/drills/backend-5xx-and-stall.yaml REPORT_DIR [FROM TO]
 */
public class BackendDrillRun {
    public static void main(String[] args) throws Exception {
        int exit;
        try (FakeOpenAiServer a = new FakeOpenAiServer(); FakeOpenAiServer b = new FakeOpenAiServer()) {
            a.byDefault(FakeOpenAiServer.Script.tokens(8).delays(20, 5));
            b.byDefault(FakeOpenAiServer.Script.tokens(8).delays(20, 5));
            String text = Files.readString(Path.of(args[0])).replace("http://127.0.0.1:8001", a.url())
                    .replace("http://127.0.0.1:8002", b.url());
            if (args.length > 3) {
                text = text.replace(args[2], args[3]);
            }
            Path file = Files.createTempFile("backend-drill", ".yaml");
            Files.writeString(file, text);
            exit = new picocli.CommandLine(new Main()).execute("drill", file.toString(), "--realtime", "--report", args[1]);
        }
        System.exit(exit);
    }
}
