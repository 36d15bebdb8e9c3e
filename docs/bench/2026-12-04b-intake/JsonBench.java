import io.queuedeck.engine.store.*;
import io.queuedeck.engine.task.*;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;

public class JsonBench {
    public static void main(String[] a) throws Throwable {
        Method m = Class.forName("io.queuedeck.engine.store.StoredTaskJson").getDeclaredMethod("toBytes", StoredTask.class);
        m.setAccessible(true);
        var h = java.lang.invoke.MethodHandles.lookup().unreflect(m);
        var bean = ManagementFactory.getThreadMXBean();
        TaskSpec spec = new TaskSpec("w-1", "llama-2-7b", "Summarise the quarterly report in three bullet points.", 3, null, "bench", null, null, 64, null, null,
                new TaskSpec.Classification("explicit", "stable", "the client's priority"));
        long sink = 0;
        for (int pass = 0; pass < 4; pass++) {
            long c0 = bean.getCurrentThreadCpuTime();
            for (int i = 0; i < 200_000; i++) {
                byte[] b = (byte[]) h.invoke(new StoredTask("w-" + i, spec, TaskState.QUEUED, 3, i, i, 64, 0, null, null, null, false, null));
                sink += b.length;
            }
            if (pass >= 2) System.out.printf("encode %.2f us/record%n", (bean.getCurrentThreadCpuTime() - c0) / 1e3 / 200_000);
        }
        System.out.println(sink > 0 ? "" : "-");
    }
}
