// CPU and wall time of one Search page (the baseline: what the screen does on Search) against an
// export of every match (10 engine pages of 1,000, then the CSV written), alternating, on a real
// engine with 100,001 queued tasks on a virtual clock (commands answer on the calling thread).
// Run: java -cp app/target/queuedeck-console.jar docs/bench/2026-12-04b-export/ExportCost.java
import io.queuedeck.console.gateway.EngineGateway;
import io.queuedeck.console.search.SearchExport;
import io.queuedeck.console.search.SearchViewModel;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskSpec;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

public class ExportCost {
    public static void main(String[] args) throws Exception {
        Engine engine = Engine.builder().clock(new VirtualClock()).policy("fifo").build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join();
        for (int i = 0; i < 100_001; i++) {
            engine.send(new Command.Submit(new TaskSpec("t" + i, "llama-2-7b", "hi", i % 10, null, i % 3 == 0 ? "acme" : "zeta",
                    null, null, 8, null, null))).join();
        }
        EngineGateway gateway = new EngineGateway(engine, Runnable::run, f -> { });
        SearchViewModel model = new SearchViewModel(gateway, gateway,
                new SearchExport(gateway, Runnable::run, Runnable::run, engine.clock()::toInstant));
        Path file = Files.createTempFile("export", ".csv");
        var threads = ManagementFactory.getThreadMXBean();
        List<Long> searchCpu = new ArrayList<>(), exportCpu = new ArrayList<>(), searchWall = new ArrayList<>(), exportWall = new ArrayList<>();
        for (int round = 0; round < 13; round++) { // the first 3 rounds warm up
            long c0 = threads.getCurrentThreadCpuTime(), w0 = System.nanoTime();
            model.search();
            long c1 = threads.getCurrentThreadCpuTime(), w1 = System.nanoTime();
            model.export(file);
            long c2 = threads.getCurrentThreadCpuTime(), w2 = System.nanoTime();
            if (!model.messageProperty().get().startsWith("10,000 tasks written")) throw new AssertionError(model.messageProperty().get());
            if (round >= 3) {
                searchCpu.add(c1 - c0); exportCpu.add(c2 - c1); searchWall.add(w1 - w0); exportWall.add(w2 - w1);
            }
            System.out.printf("round %d search cpu %.1f ms wall %.1f ms | export cpu %.1f ms wall %.1f ms%n", round,
                    (c1 - c0) / 1e6, (w1 - w0) / 1e6, (c2 - c1) / 1e6, (w2 - w1) / 1e6);
        }
        System.out.printf("median search cpu %.1f ms, export cpu %.1f ms, ratio %.1f; wall %.1f / %.1f ms; file %,d bytes%n",
                median(searchCpu), median(exportCpu), median(exportCpu) / median(searchCpu), median(searchWall), median(exportWall),
                Files.size(file));
        Files.delete(file);
        engine.close();
    }

    static double median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2) / 1e6;
    }
}
