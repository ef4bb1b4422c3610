package dev.switchyard.node.cluster;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.switchyard.client.AnswerStatus;
import dev.switchyard.client.InferAnswer;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.compute.layer.LocalMoeLayer;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.node.cluster.OpenLoopLoad.Phase;
import dev.switchyard.node.cluster.OpenLoopLoad.Sent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NetworkLabTest}'s count of every request sent, by phase and by how it ended: none may go
 * unanswered or be answered twice, every OK answer is bit-exact, and the settled phases (those after
 * convergence) answer OK only.
 */
final class LabLedger
{
    /** The phases after convergence: every request in them must be answered OK. */
    static final List<Phase> SETTLED = List.of(Phase.STEADY, Phase.LOSS_NONE, Phase.LOSS_1, Phase.LOSS_5,
        Phase.HEALED, Phase.THAWED, Phase.FLAPPED, Phase.JOINED, Phase.ROLLING);
    /** The phases whose requests leave the choice to the gateway's {@code --on-unavailable drop}: OK or DEGRADED. */
    static final List<Phase> DROPPING = List.of(Phase.CUT, Phase.HEALING);
    private static final Pattern SKIPPED = Pattern.compile("experts ([0-9,]+) of layer 0");

    private LabLedger()
    {
    }

    /**
     * Before the next fault, every request of the phase that ends is answered (a request of a settled
     * phase must not meet the next fault); those sent meanwhile are counted apart.
     */
    static void settle(final OpenLoopLoad load, final List<Sent> sent, final Phase ending) throws Exception
    {
        load.phase = Phase.SETTLING;
        final List<Sent> of = new ArrayList<>();
        synchronized (sent)
        {
            sent.stream().filter(s -> s.phase() == ending).forEach(of::add);
        }
        for (final Sent s : of)
        {
            s.answer().get(30, TimeUnit.SECONDS);
        }
    }

    /** Counts every request of {@code sent} (answered by now), prints the counts and asserts on them. */
    static void account(final List<Sent> sent, final float[][] inputs, final float[][] expected,
        final ModelDirectory model, final SwitchyardClient client, final Map<String, Long> convergedMs)
        throws Exception
    {
        final Map<Phase, Map<AnswerStatus, Integer>> byPhase = new EnumMap<>(Phase.class);
        final Map<String, String> details = new TreeMap<>();
        final Map<String, Integer> singleGroupFailed = new TreeMap<>();
        int neverAnswered = 0;
        for (final Sent s : sent)
        {
            final InferAnswer answer = s.answer().get(30, TimeUnit.SECONDS);
            if (answer.status() == AnswerStatus.UNAVAILABLE && answer.detail().startsWith("no answer"))
            {
                neverAnswered++;
                continue;
            }
            byPhase.computeIfAbsent(s.phase(), p -> new EnumMap<>(AnswerStatus.class))
                .merge(answer.status(), 1, Integer::sum);
            if (DROPPING.contains(s.phase()) && !answer.ok() && !answer.degraded() &&
                inputs[s.input()].length / model.config().dModel() <= model.config().routing().groupSize())
            {
                singleGroupFailed.merge(s.phase() + " " + answer.status(), 1, Integer::sum);
            }
            if (answer.ok())
            {
                assertArrayEquals(expected[s.input()], answer.output(), "input " + s.input() + " in " + s.phase());
            }
            else if (answer.degraded())
            {
                assertArrayEquals(degradedReference(model, inputs[s.input()], answer.detail()), answer.output(),
                    "degraded answer of input " + s.input() + " in " + s.phase() + ": " + answer.detail());
            }
            if (!answer.ok())
            {
                details.putIfAbsent(s.phase() + " " + answer.status(), answer.detail());
                if (SETTLED.contains(s.phase()))
                {
                    // When it was sent, on the nodes' clock, to find it in their logs.
                    final long wallMs = System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() -
                        s.sentNs());
                    details.put(s.phase() + " " + answer.status() + " sent at " +
                        java.time.Instant.ofEpochMilli(wallMs), answer.detail());
                }
            }
        }
        System.out.printf("network lab: sent %d, never answered %d, answered twice %d, by phase %s, converged %s ms; " +
            "requests of one group that timed out under drop: %s; first error of each: %s%n", sent.size(),
            neverAnswered, client.unmatchedAnswers(), byPhase, convergedMs, singleGroupFailed, details);
        assertEquals(0, neverAnswered, "requests never answered");
        assertEquals(0, client.unmatchedAnswers(), "answers given twice");
        for (final Phase p : SETTLED)
        {
            final Map<AnswerStatus, Integer> counts = byPhase.get(p);
            assertTrue(counts != null && counts.keySet().equals(Set.of(AnswerStatus.OK)), "phase " + p + " answered " +
                counts + "; " + details);
        }
        // Under drop a request is answered without the experts it cannot reach, exactly. It waits, and
        // may time out, for an expert that was moving when its host was cut off (its next home is being
        // prepared), or, with several groups, for one lost while its block was in flight (its earlier
        // groups were computed with it: no degraded answer would be exact). Nothing else may fail it.
        for (final Phase p : DROPPING)
        {
            final Map<AnswerStatus, Integer> counts = byPhase.get(p);
            assertTrue(counts != null && Set.of(AnswerStatus.OK, AnswerStatus.DEGRADED, AnswerStatus.TIMEOUT)
                .containsAll(counts.keySet()), "phase " + p + " (the gateway's --on-unavailable drop) answered " +
                counts + "; " + details);
        }
        assertTrue(byPhase.get(Phase.CUT).getOrDefault(AnswerStatus.DEGRADED, 0) > 0,
            "no degraded answer in the cut under the gateway's --on-unavailable drop: " + byPhase.get(Phase.CUT));
    }

    /** {@code infer --local --unavailable-experts} for the experts a degraded answer names. */
    private static float[] degradedReference(final ModelDirectory model, final float[] x, final String detail)
    {
        final Matcher m = SKIPPED.matcher(detail);
        assertTrue(m.find(), "a degraded answer names its experts: " + detail);
        final boolean[] unavailable = new boolean[model.config().numExperts()];
        for (final String e : m.group(1).split(","))
        {
            unavailable[Integer.parseInt(e)] = true;
        }
        final int d = model.config().dModel();
        final float[] y = new float[x.length];
        LocalMoeLayer.load(model, 0, ComputeBackends.vector(ComputePool.callerOnly()), WeightFormat.F32)
            .withUnavailable(unavailable).forward(x, x.length / d, null, y, null);
        return y;
    }
}
