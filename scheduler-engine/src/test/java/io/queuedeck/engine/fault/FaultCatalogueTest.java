package io.queuedeck.engine.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.EventSubscription;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.exec.ProgressWatchdog;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.snapshot.EngineEvent;
import io.queuedeck.engine.task.TaskSpec;
import org.junit.jupiter.api.Test;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Each fault: injected, seen in the snapshot, cleared, and the instance back as it was. */
class FaultCatalogueTest {
    private static final long SECOND = 1_000_000_000L;
    private final VirtualClock clock = new VirtualClock();
    private final SimulatedGpuExecutor gpus = new SimulatedGpuExecutor(2, "m", GpuProfile.LLAMA2_7B_H100);
    private final ProgressWatchdog watchdog = new ProgressWatchdog(gpus, Duration.ofSeconds(5), i -> {});
    private final Engine engine = Engine.builder().clock(clock).executor(watchdog).build();
    private final EventSubscription events = engine.subscribe(1024);
    private final FaultCatalogue faults = new FaultCatalogue(engine, FaultClock.of(clock), () -> 10);

    FaultCatalogueTest() {
        engine.start();
    }

    private InstanceStatus instance(int id) {
        return engine.send(new Command.TakeSnapshot()).join().instances().get(id);
    }

    private void submit(int n, int promptTokens) {
        for (int i = 0; i < n; i++) {
            engine.send(new Command.Submit(new TaskSpec(null, "m", "", 5, null, null, null, null, 200, promptTokens, null))).join();
        }
    }

    @Test
    void slow_injectedThenCleared_instanceSlowThenRestored() {
        ActiveFault fault = faults.inject(new FaultSpec(FaultKind.SLOW, BlastRadius.instance(1), Map.of("factor", 4.0), null));

        assertThat(instance(1).slowdown()).isEqualTo(4.0);
        assertThat(instance(1).state()).isEqualTo(InstanceState.SLOW);
        assertThat(faults.active()).containsExactly(fault);
        assertThat(faults.clear(fault.id())).isTrue();
        assertThat(instance(1).slowdown()).isEqualTo(1.0);
        assertThat(instance(1).state()).isEqualTo(InstanceState.UP);
        assertThat(faults.active()).isEmpty();
    }

    @Test
    void kvExhaustion_onRunningTasks_preemptsAndCapacityShows() {
        submit(20, 2000);
        clock.runUntil(SECOND); // past the prefill: the tasks have generated tokens, which a preemption makes them recompute
        long before = engine.send(new Command.TakeSnapshot()).join().counters().preemptions();

        faults.inject(new FaultSpec(FaultKind.KV_EXHAUSTION, BlastRadius.NODE, Map.of("fraction", 0.05), null));

        assertThat(instance(0).kvCapacityTokens()).isEqualTo(6_000);
        assertThat(instance(0).kvUsedTokens()).isLessThanOrEqualTo(6_000);
        assertThat(engine.send(new Command.TakeSnapshot()).join().counters().preemptions()).isGreaterThan(before);
        assertThat(gpus.kvPreemptions()).isPositive();
        faults.clearAll();
        assertThat(instance(0).kvCapacityTokens()).isEqualTo(120_000);
        clock.runUntil(120 * SECOND);
        assertThat(gpus.recomputedTokens()).isPositive();
        assertThat(engine.send(new Command.CountActive()).join()).isZero();
    }

    @Test
    void hang_withWatchdog_tasksFailedOverAndFinish() {
        faults.inject(new FaultSpec(FaultKind.HANG, BlastRadius.NODE));
        submit(4, 100);
        clock.runUntil(3 * SECOND);
        assertThat(engine.send(new Command.CountActive()).join()).isEqualTo(4); // hung: nothing progresses, nothing fails

        clock.runUntil(10 * SECOND);

        assertThat(watchdog.failovers()).isPositive();
        clock.runUntil(60 * SECOND);
        assertThat(engine.send(new Command.CountActive()).join()).isZero();
    }

    @Test
    void oom_largePromptsFail_smallOnesRun() {
        faults.inject(new FaultSpec(FaultKind.OOM, BlastRadius.NODE, Map.of("prompt_tokens", 1000.0), null));
        submit(1, 4000);
        submit(1, 100);

        clock.runUntil(60 * SECOND);

        assertThat(engine.send(new Command.TakeSnapshot()).join().counters().deadLettered()).isEqualTo(1);
        assertThat(engine.send(new Command.TakeSnapshot()).join().counters().succeeded()).isEqualTo(1);
    }

    @Test
    void flap_withDuration_downAndUpThenClearedByItself() {
        faults.inject(new FaultSpec(FaultKind.FLAP, BlastRadius.instance(0), Map.of("period_s", 2.0), Duration.ofSeconds(9)));
        List<InstanceState> seen = new ArrayList<>();
        for (int s = 1; s <= 8; s++) {
            clock.runUntil(s * SECOND - SECOND / 2);
            seen.add(instance(0).state());
        }
        assertThat(seen).contains(InstanceState.OFFLINE, InstanceState.UP);

        clock.runUntil(10 * SECOND);

        assertThat(faults.active()).isEmpty();
        assertThat(instance(0).state()).isEqualTo(InstanceState.UP);
    }

    /** The crash stayed listed while the GPU served again, and its end would have undone an operator's offline. */
    @Test
    void crashWithADuration_anOperatorBringingTheGpuOnline_endsIt_asDoneByTheOperator() {
        List<io.queuedeck.engine.audit.AuditEntry> audited = new java.util.concurrent.CopyOnWriteArrayList<>();
        engine.audit().onEntry(audited::add);
        faults.inject(new FaultSpec(FaultKind.CRASH, BlastRadius.instance(1), Map.of(), Duration.ofSeconds(60)));
        assertThat(instance(1).state()).isEqualTo(InstanceState.OFFLINE);

        engine.send(new Command.SetInstanceOnline(1, true)).join();
        faults.handBack(1, "ops");

        assertThat(faults.active()).isEmpty();
        assertThat(audited).filteredOn(e -> e.action().equals("fault.clear")).singleElement()
                .satisfies(e -> assertThat(e.actor()).isEqualTo("ops"));
        clock.runUntil(61 * SECOND);
        assertThat(instance(1).state()).isNotEqualTo(InstanceState.OFFLINE);
    }

    @Test
    void crashOfTheNode_aGpuTakenOfflineByHand_staysOfflineWhenTheCrashEnds_theOtherComesBack() {
        faults.inject(new FaultSpec(FaultKind.CRASH, BlastRadius.NODE, Map.of(), Duration.ofSeconds(60)));

        engine.send(new Command.SetInstanceOnline(0, false)).join();
        faults.handBack(0, "ops");

        assertThat(faults.active()).as("it still holds GPU 1").hasSize(1);
        clock.runUntil(61 * SECOND);
        assertThat(faults.active()).isEmpty();
        assertThat(instance(0).state()).as("the operator's choice").isEqualTo(InstanceState.OFFLINE);
        assertThat(instance(1).state()).isNotEqualTo(InstanceState.OFFLINE);
    }

    @Test
    void burst_submitsAtFactorOfBaseRate_andStopsWhenCleared() {
        ActiveFault burst = faults.inject(new FaultSpec(FaultKind.BURST, BlastRadius.NODE, Map.of("factor", 3.0), null));
        clock.runUntil(10 * SECOND);
        faults.clear(burst.id());
        long submitted = faults.loadSubmitted();
        clock.runUntil(20 * SECOND);

        assertThat(submitted).isBetween(190L, 210L); // (3 - 1) × 10/s for 10 s
        assertThat(faults.loadSubmitted()).isEqualTo(submitted);
    }

    @Test
    void burstOnATier_ofTheEnginesOwnTable_submitsInThatTiersBand_andAnotherNameIsRefused() {
        io.queuedeck.engine.tier.Tiers four = new io.queuedeck.engine.tier.Tiers(List.of(
                new io.queuedeck.engine.tier.Tier("urgent", 0, 0, 0), new io.queuedeck.engine.tier.Tier("core", 1, 1, 2),
                new io.queuedeck.engine.tier.Tier("normal", 2, 3, 6), new io.queuedeck.engine.tier.Tier("bulk", 3, 7, 9)));
        Engine own = Engine.builder().clock(clock).executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100))
                .flow(new io.queuedeck.engine.tier.FlowSettings(Map.of(), Map.of(), four)).build();
        own.start();
        try {
            FaultCatalogue ownFaults = new FaultCatalogue(own, FaultClock.of(clock), () -> 10);
            own.send(new Command.PauseDispatch(true)).join();

            ActiveFault burst = ownFaults.inject(new FaultSpec(FaultKind.BURST, BlastRadius.parse("tier:urgent"), Map.of("rate", 10.0), null));
            clock.runUntil(2 * SECOND);
            ownFaults.clear(burst.id());

            List<Integer> byPriority = own.send(new Command.TakeSnapshot()).join().queuedByPriority();
            assertThat(byPriority.getFirst()).isPositive();
            assertThat(byPriority.stream().mapToInt(Integer::intValue).sum()).isEqualTo(byPriority.getFirst());
            assertThatThrownBy(() -> ownFaults.inject(new FaultSpec(FaultKind.BURST, BlastRadius.parse("tier:batch"),
                    Map.of("rate", 10.0), null)))
                    .hasMessageContaining("tier 'batch' is not one of urgent, core, normal, bulk");
        } finally {
            own.close();
        }
    }

    @Test
    void everyFault_isAMarkedEvent_whenItBeginsAndEnds() {
        ActiveFault fault = faults.inject(new FaultSpec(FaultKind.HANG, BlastRadius.instance(0)));
        faults.clear(fault.id());
        List<EngineEvent.FaultMarked> marks = new ArrayList<>();
        events.drain(100, e -> {
            if (e instanceof EngineEvent.FaultMarked m) {
                marks.add(m);
            }
        });

        assertThat(marks).extracting(EngineEvent.FaultMarked::active).containsExactly(true, false);
        assertThat(marks.getFirst().label()).isEqualTo("hang on instance:0");
    }

    @Test
    void killSwitch_clearsEverything_andRefusesUntilRearmed() {
        faults.inject(new FaultSpec(FaultKind.SLOW, BlastRadius.NODE));

        assertThat(faults.disarm()).isEqualTo(1);
        assertThat(instance(0).slowdown()).isEqualTo(1.0);
        assertThatThrownBy(() -> faults.inject(new FaultSpec(FaultKind.HANG, BlastRadius.NODE)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("disarmed");
        faults.arm();
        assertThat(faults.inject(new FaultSpec(FaultKind.HANG, BlastRadius.NODE)).id()).isEqualTo("f-2");
    }

    /** A catalogue reads the kill switch's last change from the audit trail, which the store keeps across a restart. */
    @Test
    void killSwitch_pulledAndNotRearmed_isPulledInTheNextCatalogue_rearmedIsNot() {
        assertThat(new FaultCatalogue(engine, FaultClock.of(clock), () -> 10).armed()).as("never pulled").isTrue();

        faults.disarm("ops");
        engine.audit().record("ops", "api", "fault.inject", "node", 0, null); // later entries of other kinds do not count

        FaultCatalogue next = new FaultCatalogue(engine, FaultClock.of(clock), () -> 10);
        assertThat(next.armed()).isFalse();
        assertThatThrownBy(() -> next.inject(new FaultSpec(FaultKind.HANG, BlastRadius.NODE)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("disarmed");

        next.arm("ops");
        assertThat(new FaultCatalogue(engine, FaultClock.of(clock), () -> 10).armed()).isTrue();
    }

    @Test
    void killSwitch_countsWhatItsCallerUndidOutsideTheCatalogue_inItsAnswerAndAudit() {
        faults.inject(new FaultSpec(FaultKind.SLOW, BlastRadius.NODE));
        List<io.queuedeck.engine.audit.AuditEntry> audited = new java.util.concurrent.CopyOnWriteArrayList<>();
        engine.audit().onEntry(audited::add);

        assertThat(faults.disarm("ops", 2)).isEqualTo(3);
        assertThat(audited).filteredOn(e -> e.action().equals("faults.disarm")).singleElement()
                .satisfies(e -> assertThat(e.detail()).startsWith("3 faults cleared (2 of them set by the GPU buttons)"));
    }

    /** Counting what each slice owed in floating point made this 2. */
    @Test
    void aFloodOfOneTaskASecondForThreeSeconds_isThreeTasks() {
        ActiveFault flood = faults.inject(new FaultSpec(FaultKind.TENANT_FLOOD, new BlastRadius(BlastRadius.Scope.TENANT, "acme"),
                Map.of("rate", 1.0), Duration.ofSeconds(3)));
        clock.runUntil(10 * SECOND);

        assertThat(engine.send(new Command.FindTask(flood.id() + "-3")).join()).isPresent();
        assertThat(engine.send(new Command.FindTask(flood.id() + "-4")).join()).isEmpty();
        assertThat(faults.active()).isEmpty();
    }

    @Test
    void tenantFlood_submitsAsTheTenant_atItsRate() {
        ActiveFault flood = faults.inject(new FaultSpec(FaultKind.TENANT_FLOOD, new BlastRadius(BlastRadius.Scope.TENANT, "acme"),
                Map.of("rate", 20.0), Duration.ofSeconds(5)));
        clock.runUntil(10 * SECOND);

        assertThat(faults.loadSubmitted()).isBetween(95L, 105L);
        // 100 at most; the last task's start may fall in the last slice's 100 ms
        assertThat(engine.send(new Command.FindTask(flood.id() + "-99")).join()).isPresent();
        assertThat(engine.send(new Command.FindTask(flood.id() + "-101")).join()).isEmpty();
        assertThat(engine.send(new Command.FindTask(flood.id() + "-1")).join()).get()
                .satisfies(view -> assertThat(view.spec().tenant()).isEqualTo("acme"));
        assertThat(faults.active()).isEmpty();
    }

    @Test
    void preemptionStorm_underAPreemptivePolicy_preempts() {
        VirtualClock own = new VirtualClock();
        Engine preemptive = Engine.builder().clock(own)
                .executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(2)))
                .policy("priority").policyConfig(io.queuedeck.engine.policy.PolicyConfig.of(Map.of("preemptive", "true"))).build();
        preemptive.start();
        for (int i = 0; i < 4; i++) {
            preemptive.send(new Command.Submit(new TaskSpec(null, "m", "", 9, null, null, null, null, 2000, 100, null))).join();
        }
        FaultCatalogue storm = new FaultCatalogue(preemptive, FaultClock.of(own), () -> 0);

        storm.inject(new FaultSpec(FaultKind.PREEMPTION_STORM, BlastRadius.NODE, Map.of("rate", 5.0), Duration.ofSeconds(3)));
        own.runUntil(5 * SECOND);

        assertThat(preemptive.send(new Command.TakeSnapshot()).join().counters().preemptions()).isPositive();
    }

    @Test
    void spec_wrongTargetOrParameter_refusedFieldByField() {
        assertThatThrownBy(() -> new FaultSpec(FaultKind.TENANT_FLOOD, BlastRadius.NODE, Map.of("factor", 2.0), null))
                .hasMessageContaining("target: tenant_flood hits [tenant], not node")
                .hasMessageContaining("parameters.factor: tenant_flood takes");
        assertThatThrownBy(() -> faults.inject(new FaultSpec(FaultKind.CRASH, BlastRadius.instance(7))))
                .hasMessageContaining("target: instance:7 matches no instance");
        // a number past an int's range is one more instance that is not there, not "no number"
        assertThatThrownBy(() -> faults.inject(new FaultSpec(FaultKind.CRASH, BlastRadius.parse("instance:99999999999"))))
                .hasMessageContaining("target: instance:99999999999 matches no instance; instances are 0..");
        assertThatThrownBy(() -> BlastRadius.parse("instance:-1")).hasMessageContaining("an instance is a number from 0, got '-1'");
        assertThatThrownBy(() -> BlastRadius.parse("rack:3")).hasMessageContaining("unknown scope 'rack'");
    }

    /** A flood at a billion tasks a second held the catalogue for minutes and starved the loop: rates are bounded. */
    @Test
    void loadFault_rateOrTokensOutOfRange_refusedNamingTheParameter() {
        BlastRadius acme = BlastRadius.parse("tenant:acme");
        assertThatThrownBy(() -> new FaultSpec(FaultKind.TENANT_FLOOD, acme, Map.of("rate", 1e9), Duration.ofSeconds(1)))
                .hasMessageContaining("parameters.rate: must be from 0.1 to 10000 tasks/s, got 1000000000");
        assertThatThrownBy(() -> new FaultSpec(FaultKind.TENANT_FLOOD, acme, Map.of("rate", 0.0), null))
                .hasMessageContaining("parameters.rate: must be from 0.1 to 10000 tasks/s, got 0");
        assertThatThrownBy(() -> new FaultSpec(FaultKind.POISON, acme, Map.of("prompt_tokens", 1e15), null))
                .hasMessageContaining("parameters.prompt_tokens: must be a whole number from 1 to 1000000");
        assertThatThrownBy(() -> new FaultSpec(FaultKind.TENANT_FLOOD, acme, Map.of("output_tokens", 0.0), null))
                .hasMessageContaining("parameters.output_tokens: must be a whole number from 1 to 1000000 (a task's limit), got 0");
        assertThatThrownBy(() -> new FaultSpec(FaultKind.TENANT_FLOOD, acme, Map.of("prompt_tokens", 1.5), null))
                .hasMessageContaining("parameters.prompt_tokens: must be a whole number");
        assertThat(new FaultSpec(FaultKind.BURST, BlastRadius.NODE, Map.of("rate", 0.0), null).parameter("rate"))
                .as("a burst's 0: factor × the base load").isZero();
        FaultCatalogue busy = new FaultCatalogue(engine, FaultClock.of(clock), () -> 5_000);
        assertThatThrownBy(() -> busy.inject(new FaultSpec(FaultKind.BURST, BlastRadius.NODE, Map.of("factor", 4.0), null)))
                .hasMessageContaining("parameters.factor: the burst would add 15000 tasks/s, more than the 10000 a load fault may");
    }
}
