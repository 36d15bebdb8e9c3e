package io.queuedeck.engine.exec.sim;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Properties;

/**
 * What one forward pass (a step) of a model on a GPU costs, from a profile file
 * ({@code resources/profiles/*.properties}): a linear part (every matrix multiply, norm and
 * activation) that depends only on the tokens in the step, an attention part that depends on
 * each sequence's context, and a fixed CPU overhead per step.
 *
 * <ul>
 *   <li>linear: interpolated in {@code linearMs} over {@code linearTokens} (measured points);
 *       beyond the last point it grows with the last segment's slope;</li>
 *   <li>decode attention: every decoding sequence reads its whole KV cache once, so
 *       {@code context tokens × kvBytesPerToken / (hbm bandwidth × efficiency)};</li>
 *   <li>prefill attention: a chunk of {@code c} tokens after {@code p} cached ones does
 *       {@code 4 × layers × hidden × c × (p + c/2)} FLOPs at {@code attentionTflops}, or reads the
 *       {@code p} cached tokens, whichever takes longer.</li>
 * </ul>
 *
 * @param model                 model the profile describes
 * @param gpu                   GPU it describes
 * @param linearTokens          token counts of the linear curve, ascending
 * @param linearMs              linear time at those counts, ms
 * @param kvBytesPerToken       bytes of K and V per cached token, all layers
 * @param layers                transformer layers
 * @param hidden                hidden size
 * @param hbmGbps               memory bandwidth, GB/s
 * @param bandwidthEfficiency   fraction of it the attention kernel reaches when decoding
 * @param attentionTflops       attention FLOP rate when prefilling, TFLOP/s
 * @param cpuOverheadMs         fixed time per step
 * @param maxNumSeqs            vLLM's default sequences per step on this GPU
 * @param maxNumBatchedTokens   vLLM's default token budget per step on this GPU
 * @param kvCapacityTokens      KV-cache size in tokens
 * @param blockSize             tokens per KV block
 * @param modelLoadMillis       time to reload the model after a crash
 */
public record StepCost(String model, String gpu, int[] linearTokens, double[] linearMs, long kvBytesPerToken, int layers,
                       int hidden, double hbmGbps, double bandwidthEfficiency, double attentionTflops,
                       double cpuOverheadMs, int maxNumSeqs, int maxNumBatchedTokens, long kvCapacityTokens,
                       int blockSize, long modelLoadMillis) {

    /** Shipped profiles, by the name {@code simulate --gpu} takes. */
    public static StepCost shipped(String gpu) {
        String resource = "/queuedeck/profiles/llama2-7b-" + gpu.toLowerCase(Locale.ROOT) + ".properties";
        try (InputStream in = StepCost.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no shipped profile for GPU '" + gpu + "'; shipped: h100, a100");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }

    /** Reads a profile file of the shipped files' keys. */
    public static StepCost read(Path file) {
        try {
            // a FIFO never ended the read and /dev/zero ran the heap out: a profile is a small regular file
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(file + ": cannot read the profile: " + (!Files.exists(file) ? "no such file"
                        : Files.isDirectory(file) ? "it is a directory" : "it is not a regular file (a FIFO, a socket or a device)"));
            }
            if (Files.size(file) > MAX_PROFILE_BYTES) {
                throw new IllegalArgumentException(file + ": cannot read the profile: it is larger than "
                        + MAX_PROFILE_BYTES / 1024 + " KiB (a profile is a few dozen lines)");
            }
            return parse(Files.readString(file), file.toString());
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException(file + ": cannot read the profile: it is not UTF-8 text", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the profile: " + e.getMessage(), e);
        }
    }

    private static final long MAX_PROFILE_BYTES = 1 << 20;

    static StepCost parse(String text, String source) {
        Properties p = new Properties();
        try (Reader reader = new StringReader(text)) {
            p.load(reader);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String[] points = required(p, "linear_ms", source).split(",");
        int[] tokens = new int[points.length];
        double[] ms = new double[points.length];
        for (int i = 0; i < points.length; i++) {
            String[] pair = points[i].trim().split(":");
            if (pair.length != 2) {
                throw new IllegalArgumentException(source + ": linear_ms: '" + points[i].trim() + "' is not TOKENS:MS");
            }
            tokens[i] = Integer.parseInt(pair[0].trim());
            ms[i] = Double.parseDouble(pair[1].trim());
            if (i > 0 && tokens[i] <= tokens[i - 1]) {
                throw new IllegalArgumentException(source + ": linear_ms: token counts must ascend at '" + points[i].trim() + "'");
            }
        }
        return new StepCost(required(p, "model", source), required(p, "gpu", source), tokens, ms,
                Long.parseLong(required(p, "kv_bytes_per_token", source)), Integer.parseInt(required(p, "layers", source)),
                Integer.parseInt(required(p, "hidden", source)), Double.parseDouble(required(p, "hbm_gbps", source)),
                Double.parseDouble(required(p, "attention_bandwidth_efficiency", source)),
                Double.parseDouble(required(p, "attention_tflops", source)),
                Double.parseDouble(required(p, "cpu_overhead_ms", source)),
                Integer.parseInt(required(p, "max_num_seqs", source)),
                Integer.parseInt(required(p, "max_num_batched_tokens", source)),
                Long.parseLong(required(p, "kv_capacity_tokens", source)), Integer.parseInt(required(p, "block_size", source)),
                Long.parseLong(required(p, "model_load_ms", source)));
    }

    private static String required(Properties p, String key, String source) {
        String value = p.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(source + ": " + key + " is missing");
        }
        return value.trim();
    }

    public StepCost {
        if (linearTokens.length < 2 || linearTokens.length != linearMs.length) {
            throw new IllegalArgumentException("the linear curve needs at least two points");
        }
        linearTokens = linearTokens.clone();
        linearMs = linearMs.clone();
        if (!(hbmGbps > 0 && bandwidthEfficiency > 0 && bandwidthEfficiency <= 1 && attentionTflops > 0)) {
            throw new IllegalArgumentException("bandwidth, efficiency (0, 1] and FLOP rate must be positive");
        }
        if (maxNumSeqs < 1 || maxNumBatchedTokens < 1 || kvCapacityTokens < 1 || blockSize < 1 || cpuOverheadMs < 0) {
            throw new IllegalArgumentException("sequences, token budget, KV capacity and block size must be positive");
        }
    }

    @Override
    public int[] linearTokens() {
        return linearTokens.clone();
    }

    @Override
    public double[] linearMs() {
        return linearMs.clone();
    }

    /** The linear part of a step over {@code tokens} tokens, ms. */
    public double linearMillis(long tokens) {
        if (tokens <= 0) {
            return 0;
        }
        int i = Arrays.binarySearch(linearTokens, (int) Math.min(Integer.MAX_VALUE, tokens));
        if (i >= 0) {
            return linearMs[i];
        }
        int above = -i - 1;
        if (above == 0) {
            return linearMs[0];
        }
        int lo = Math.min(above - 1, linearTokens.length - 2);
        int hi = lo + 1;
        double slope = (linearMs[hi] - linearMs[lo]) / (linearTokens[hi] - linearTokens[lo]);
        return linearMs[lo] + slope * (tokens - linearTokens[lo]);
    }

    /** Decode attention over {@code contextTokens} cached tokens (summed over the decoding sequences), ms. */
    public double decodeAttentionMillis(long contextTokens) {
        return contextTokens * (double) kvBytesPerToken / (hbmGbps * 1e9 * bandwidthEfficiency) * 1e3;
    }

    /** Attention of a prefill chunk of {@code chunk} tokens after {@code cached} tokens already in the cache, ms. */
    public double prefillAttentionMillis(long chunk, long cached) {
        double flops = 4.0 * layers * hidden * chunk * (cached + chunk / 2.0);
        double compute = flops / (attentionTflops * 1e12) * 1e3;
        return Math.max(compute, decodeAttentionMillis(cached));
    }

    /** A step of one sequence alone with no cache: {@code tokens} of prefill, then its first token; ms. */
    public double idlePrefillMillis(long tokens, int budget) {
        double total = 0;
        long done = 0;
        while (done < tokens) {
            long chunk = Math.min(budget, tokens - done);
            total += linearMillis(chunk) + prefillAttentionMillis(chunk, done) + cpuOverheadMs;
            done += chunk;
        }
        return total;
    }

    /** One decode step of a sequence alone with {@code context} cached tokens, ms. */
    public double idleDecodeMillis(long context) {
        return linearMillis(1) + decodeAttentionMillis(context) + cpuOverheadMs;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StepCost other && model.equals(other.model) && gpu.equals(other.gpu)
                && Arrays.equals(linearTokens, other.linearTokens) && Arrays.equals(linearMs, other.linearMs);
    }

    @Override
    public int hashCode() {
        return model.hashCode() * 31 + gpu.hashCode();
    }

    @Override
    public String toString() {
        return model + " on " + gpu;
    }
}
