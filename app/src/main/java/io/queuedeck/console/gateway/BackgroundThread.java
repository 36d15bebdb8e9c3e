package io.queuedeck.console.gateway;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** One daemon thread that runs a screen's calls in order, off the FX thread. */
public final class BackgroundThread {
    private BackgroundThread() {}

    /**
     * Not {@code Executors.newSingleThreadExecutor}: since JDK 21 a Cleaner shuts that pool down once its
     * wrapper is unreachable, and a call still on its way was then refused (a RejectedExecutionException
     * on the FX thread). This pool is never shut down; its thread ends after a minute idle, so one left
     * behind holds nothing.
     */
    public static ExecutorService named(String name) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                Thread.ofPlatform().daemon().name(name).factory());
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
