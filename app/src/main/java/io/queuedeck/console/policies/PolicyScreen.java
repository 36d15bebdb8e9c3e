package io.queuedeck.console.policies;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import io.queuedeck.console.widgets.ScreenScroll;
import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;

/**
 * The Policy &amp; load screen: the live policy and load on one tab, a comparison of policies in
 * simulated time on the other (decision 0129).
 */
public final class PolicyScreen {
    public static final String LIVE_TAB = "policies-tab-live";
    public static final String COMPARE_TAB = "policies-tab-compare";

    private PolicyScreen() {}

    /** The screen, its comparison on threads of its own. */
    public static Parent build(PoliciesViewModel live) {
        // the live engine, its demo load and the FX thread keep a core: on two cores the policies run one at a time
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
        CompareViewModel compare = new CompareViewModel(idling("compare", 1), idling("compare-policy", threads),
                Platform::runLater, live.shippedTraces());
        return build(new PoliciesView(live).root(), new CompareView(compare).root());
    }

    /** The two tabs around {@code live} and {@code compare}. */
    static TabPane build(Parent live, Parent compare) {
        Tab liveTab = new Tab("Live policy & load", live);
        liveTab.setId(LIVE_TAB);
        Tab compareTab = new Tab("Compare policies", compare);
        compareTab.setId(COMPARE_TAB);
        TabPane tabs = new TabPane(liveTab, compareTab) {
            /**
             * The tab headers and the shown tab's minimum: the skin's own left the content out, so the
             * console's scroll around the screen fitted it to a 1280 × 800 window and cut the tabs'
             * bottoms off (the trace row, the chart) instead of scrolling.
             */
            @Override
            protected double computeMinHeight(double width) {
                return Math.max(super.computeMinHeight(width), around(shown -> shown.minHeight(width), width));
            }

            /** As tall as the shown tab wants: the skin's, the tallest tab's, left the Live tab a blank below it. */
            @Override
            protected double computePrefHeight(double width) {
                return around(shown -> shown.prefHeight(width), width);
            }

            /**
             * The scroll around the screen decides again after each layout: the minimum changes with the
             * tab shown (one shown for the first time has its size only once styled and laid out) and with
             * a refusal's line, while the room stays as it was.
             */
            @Override
            protected void layoutChildren() {
                super.layoutChildren();
                ScreenScroll.refit(this);
            }

            private double around(java.util.function.ToDoubleFunction<Node> content, double width) {
                Tab shown = getSelectionModel().getSelectedItem();
                Node header = lookup(".tab-header-area");
                return snappedTopInset() + snappedBottomInset() + (header == null ? 0 : header.prefHeight(width))
                        + (shown == null || shown.getContent() == null ? 0 : content.applyAsDouble(shown.getContent()));
            }
        };
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        return tabs;
    }

    /**
     * Daemon threads of low priority that end after a minute without work: a comparison now and
     * then keeps no thread for the rest of the session, and none holds the console open at exit.
     */
    private static Executor idling(String name, int threads) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                Thread.ofPlatform().name(name + "-", 1).daemon().priority(Thread.MIN_PRIORITY).factory());
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
