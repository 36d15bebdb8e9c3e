package io.queuedeck.console;

import io.queuedeck.console.cluster.ClusterPane;
import io.queuedeck.console.cluster.ClusterViewModel;
import io.queuedeck.console.gateway.EmbeddedEngine;
import io.queuedeck.console.gateway.EngineGateway;
import io.queuedeck.engine.api.ApiService;
import javafx.scene.Parent;

/** The window's few steps for distributed mode, each one line in {@link ConsoleApp}; all do nothing without {@code --redis}. */
final class ClusterWiring {
    private ClusterWiring() {
    }

    /** The cluster section's model, fed with each coalesced update; null when the console runs alone. FX thread. */
    static ClusterViewModel model(EmbeddedEngine system, EngineGateway gateway) {
        if (system.cluster() == null) {
            return null;
        }
        ClusterViewModel model = new ClusterViewModel(system.cluster(), gateway::reportFailure);
        gateway.addListener(snapshot -> model.apply(system.cluster().latest()));
        gateway.clusterTierModes(system.cluster()::tierMode); // a tier paused or drained here is so on every node
        return model;
    }

    /** Search looks an id this node does not know up in the shared queue, answering on the FX thread. */
    static void search(EmbeddedEngine system, io.queuedeck.console.search.SearchViewModel search) {
        if (system.cluster() != null) {
            search.lookUpInSharedQueue(id -> system.cluster().describe(id).thenApplyAsync(found -> found,
                    javafx.application.Platform::runLater));
            search.searchSharedQueue(new SharedSearchAdapter(system.cluster()));
        }
    }

    /** The Lanes screen, with the shared queue's waiting tasks per tier above this node's lanes when there is one. */
    static Parent lanes(Parent lanes, ClusterViewModel model) {
        return model == null ? lanes : new io.queuedeck.console.cluster.SharedLanesPane(model).above(lanes);
    }

    /** The GPUs screen, with the cluster section below its cards when there is one. */
    static Parent around(Parent gpus, ClusterViewModel model) {
        return model == null ? gpus : new ClusterPane(model).around(gpus);
    }

    /** Finished tasks reach the shared queue through the API's completion feed. Before the API starts. */
    static void attach(EmbeddedEngine system, ApiService api) {
        if (system.cluster() != null) {
            system.cluster().attach(api);
        }
    }

    /** Ended tasks' callbacks go through the API's dispatcher; once it started, before {@link #startAlone}. */
    static void callBackEnded(EmbeddedEngine system, ApiService api) {
        if (system.cluster() != null) {
            system.cluster().callBackEnded(api);
        }
    }

    /** Starts claiming, with a completion feed of its own when the API does not run ({@code api} null). */
    static void startAlone(EmbeddedEngine system, ApiService api) {
        if (system.cluster() != null) {
            system.cluster().start(api == null);
        }
    }
}
