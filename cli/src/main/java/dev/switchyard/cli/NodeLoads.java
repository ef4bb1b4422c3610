package dev.switchyard.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.switchyard.node.cluster.StatusReport;

/**
 * Per member of a status report: the expert copies it hosts and the work they carry, and the
 * spread of work across the expert nodes; the text and the JSON of {@code cluster status} both show it.
 *
 * @param nodes           every member, in the report's order
 * @param workMaxOverMean the busiest expert node's work over the mean, or null without load figures
 */
record NodeLoads(List<Node> nodes, Double workMaxOverMean)
{
    /**
     * One member.
     *
     * @param experts      expert copies it hosts (a further copy counts on its own node)
     * @param workMsPerSec the compute its copies cost, in ms per second; null when the reporter has no load
     */
    record Node(String address, String status, List<String> roles, int experts, Double workMsPerSec,
        boolean unreachable)
    {
    }

    static NodeLoads of(final StatusReport report)
    {
        final Map<String, List<StatusReport.Expert>> byNode = new TreeMap<>();
        for (final StatusReport.Expert e : report.experts())
        {
            byNode.computeIfAbsent(e.moving() ? "(moving)" : e.node(), k -> new ArrayList<>()).add(e);
            e.replicas().stream().filter(c -> !c.moving()).forEach(c ->
                byNode.computeIfAbsent(c.node(), k -> new ArrayList<>()).add(e));
        }
        final boolean load = report.loadWindowS() > 0;
        final List<Node> nodes = new ArrayList<>();
        final List<Double> expertNodeWork = new ArrayList<>();
        for (final StatusReport.Member m : report.members())
        {
            final List<StatusReport.Expert> hosted = byNode.getOrDefault(m.address(), List.of());
            // A copy carries its expert's work divided by its copies: the gateway splits rows across them.
            final double w = hosted.stream().mapToDouble(e -> e.workMsPerSec() / (1 + e.replicas().size())).sum();
            if (m.roles().contains("experts"))
            {
                expertNodeWork.add(w);
            }
            nodes.add(new Node(m.address(), m.status(), m.roles(), hosted.size(), load ? w : null,
                report.unreachable().contains(m.address())));
        }
        final double total = expertNodeWork.stream().mapToDouble(Double::doubleValue).sum();
        final Double spread = load && total > 0 ?
            expertNodeWork.stream().mapToDouble(Double::doubleValue).max().orElse(0) / (total / expertNodeWork.size()) :
            null;
        return new NodeLoads(nodes, spread);
    }

    long expertNodes()
    {
        return nodes.stream().filter(n -> n.roles().contains("experts")).count();
    }
}
