package io.queuedeck.engine.cli;

import io.queuedeck.engine.exec.sim.GpuModel;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.StepCost;
import io.queuedeck.engine.exec.sim.VllmProfile;
import java.nio.file.Path;
import java.util.Locale;

/** The GPU model options of {@code simulate}, turned into a {@link GpuModel}. Nulls keep the profile's defaults. */
record StepModelOptions(String stepModel, String gpu, Path profileFile, Integer maxBatch, Integer maxBatchedTokens,
                        String chunkedPrefill, String chunkOrder, Long kvTokens, Integer urgentPriority,
                        Integer bulkChunkTokens) {

    /** Without an urgent class (the options' defaults). */
    StepModelOptions(String stepModel, String gpu, Path profileFile, Integer maxBatch, Integer maxBatchedTokens,
                     String chunkedPrefill, String chunkOrder, Long kvTokens) {
        this(stepModel, gpu, profileFile, maxBatch, maxBatchedTokens, chunkedPrefill, chunkOrder, kvTokens, null, null);
    }

    GpuModel model() {
        switch (stepModel.toLowerCase(Locale.ROOT)) {
            case "simple" -> {
                if (maxBatchedTokens != null || !chunkedPrefill.equals("on") || !chunkOrder.equals("policy")
                        || profileFile != null || !gpu.equals("h100") || urgentPriority != null || bulkChunkTokens != null) {
                    throw new IllegalArgumentException("--max-batched-tokens, --chunked-prefill, --chunk-order, --gpu,"
                            + " --profile, --urgent-priority and --bulk-chunk-tokens apply to --step-model vllm only");
                }
                GpuProfile simple = GpuProfile.LLAMA2_7B_H100.withMaxBatch(maxBatch == null ? 32 : maxBatch);
                return kvTokens == null ? simple : new GpuProfile(simple.maxBatch(), kvTokens, simple.prefillTokensPerSec(),
                        simple.decodeStepMillis(), simple.flatBatch(), simple.decodeSlopeMillis(), simple.modelLoadMillis());
            }
            case "vllm" -> {
                StepCost cost = profileFile != null ? StepCost.read(profileFile) : StepCost.shipped(gpu);
                VllmProfile model = VllmProfile.of(cost);
                if (maxBatch != null) model = model.withMaxNumSeqs(maxBatch);
                if (maxBatchedTokens != null) model = model.withMaxNumBatchedTokens(maxBatchedTokens);
                if (kvTokens != null) model = model.withKvCapacityTokens(kvTokens);
                if (bulkChunkTokens != null && urgentPriority == null) {
                    throw new IllegalArgumentException("--bulk-chunk-tokens needs --urgent-priority");
                }
                if (urgentPriority != null) {
                    model = model.withUrgentClass(urgentPriority, bulkChunkTokens == null ? -1 : bulkChunkTokens);
                }
                model = model.withChunkedPrefill(switch (chunkedPrefill) {
                    case "on" -> true;
                    case "off" -> false;
                    default -> throw new IllegalArgumentException("--chunked-prefill must be on or off, got '" + chunkedPrefill + "'");
                });
                return model.withChunkOrder(switch (chunkOrder) {
                    case "policy" -> VllmProfile.ChunkOrder.POLICY;
                    case "admission" -> VllmProfile.ChunkOrder.ADMISSION;
                    default -> throw new IllegalArgumentException("--chunk-order must be policy or admission, got '" + chunkOrder + "'");
                });
            }
            default -> throw new IllegalArgumentException("--step-model must be vllm or simple, got '" + stepModel + "'");
        }
    }
}
