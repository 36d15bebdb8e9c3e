package io.queuedeck.console;

import java.lang.reflect.Field;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A platform drag-and-drop under Monocle (the headless tests' windowing) after another test's: Monocle
 * keeps the window of the last drag in its mouse input, and the next drag tells that window, closed
 * since, that the drag left it, which fails ("dropTargetAssistant is null") before the drag begins.
 * Each test that drags rows (a real press, move and release) forgets it first.
 */
public final class MonocleDrags {
    private MonocleDrags() {
    }

    /** Forgets the window of the last drag, on the thread Monocle's mouse input runs on; a no-op on a real display. */
    public static void forgetLastDragWindow() throws Exception {
        Class<?> input;
        try {
            input = Class.forName("com.sun.glass.ui.monocle.MouseInput");
        } catch (ClassNotFoundException notMonocle) {
            return; // -Dgui: a real display has no such state
        }
        WaitForAsyncUtils.asyncFx(() -> {
            var getInstance = input.getDeclaredMethod("getInstance");
            getInstance.setAccessible(true);
            Object mouse = getInstance.invoke(null);
            Field dragView = input.getDeclaredField("dragView");
            dragView.setAccessible(true);
            dragView.set(mouse, null);
            return null;
        }).get();
    }
}
