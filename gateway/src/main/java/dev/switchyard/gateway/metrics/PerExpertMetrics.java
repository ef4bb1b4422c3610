package dev.switchyard.gateway.metrics;

import java.util.function.IntConsumer;
import java.util.function.IntToDoubleFunction;

import dev.switchyard.experts.endpoint.ExpertEndpoint;
import dev.switchyard.routing.plan.DropCause;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The metrics labelled by layer and expert: what the gateway's routing decided
 * ({@link RoutingCounters}) and what each expert computed on this node. Read at scrape time, so the
 * data plane pays nothing for a scrape.
 */
public final class PerExpertMetrics
{
    private PerExpertMetrics()
    {
    }

    public static void registerRouting(final PrometheusRegistry registry, final RoutingCounters r)
    {
        perExpert(registry, "switchyard_routing_routed", "Token assignments kept and sent to each expert.", r,
            r::routed);
        perExpert(registry, "switchyard_routing_first_choices",
            "Tokens whose first choice (kept by importance, before capacity) was each expert: " +
                "density1 over the layer's tokens.",
            r, r::firstChoices);
        perExpert(registry, "switchyard_routing_second_choices",
            "Tokens whose second choice (kept by importance and policy, before capacity) was each expert: " +
                "density2 over the layer's tokens.",
            r, r::secondChoices);
        CounterWithCallback.builder().name("switchyard_routing_dropped")
            .help("Token assignments dropped, by the expert they were meant for and cause.")
            .labelNames("layer", "expert", "cause")
            .callback(cb ->
            {
                for (int l = 0; l < r.layers(); l++)
                {
                    for (int e = 0; e < r.experts(); e++)
                    {
                        for (final DropCause cause : DropCause.all())
                        {
                            cb.call(r.dropped(cause, l, e), Integer.toString(l), Integer.toString(e), cause.label());
                        }
                    }
                }
            })
            .register(registry);
        GaugeWithCallback.builder().name("switchyard_routing_density1")
            .help("density1 of each layer's last group: the fraction of its tokens whose first choice is each expert.")
            .labelNames("layer", "expert")
            .callback(cb -> eachExpert(r,
                (l, e) -> cb.call(r.lastDensity1(l, e), Integer.toString(l), Integer.toString(e))))
            .register(registry);
        GaugeWithCallback.builder().name("switchyard_routing_density2")
            .help("density2 of each layer's last group: the fraction of its tokens whose second choice is each expert.")
            .labelNames("layer", "expert")
            .callback(cb -> eachExpert(r,
                (l, e) -> cb.call(r.lastDensity2(l, e), Integer.toString(l), Integer.toString(e))))
            .register(registry);
        perLayer(registry, "switchyard_routing_groups", "Groups routed.", r, l -> r.groups(l));
        perLayer(registry, "switchyard_routing_tokens", "Tokens routed (in groups).", r, l -> r.tokens(l));
        perLayer(registry, "switchyard_routing_aux_loss", "Sum of the groups' balancing losses.", r, r::auxLossSum);
        GaugeWithCallback.builder().name("switchyard_routing_last_aux_loss")
            .help("Balancing loss of each layer's last group.").labelNames("layer")
            .callback(cb -> eachLayer(r, l -> cb.call(r.lastAuxLoss(l), Integer.toString(l))))
            .register(registry);
        GaugeWithCallback.builder().name("switchyard_routing_group_fill")
            .help("Tokens in each layer's last group over the group size.").labelNames("layer")
            .callback(cb -> eachLayer(r, l -> cb.call(r.lastGroupFill(l), Integer.toString(l))))
            .register(registry);
    }

    private static void perExpert(final PrometheusRegistry registry, final String name, final String help,
        final RoutingCounters r, final PerExpert value)
    {
        CounterWithCallback.builder().name(name).help(help).labelNames("layer", "expert")
            .callback(cb -> eachExpert(r, (l, e) -> cb.call(value.get(l, e), Integer.toString(l), Integer.toString(e))))
            .register(registry);
    }

    private static void perLayer(final PrometheusRegistry registry, final String name, final String help,
        final RoutingCounters r, final IntToDoubleFunction value)
    {
        CounterWithCallback.builder().name(name).help(help).labelNames("layer")
            .callback(cb -> eachLayer(r, l -> cb.call(value.applyAsDouble(l), Integer.toString(l))))
            .register(registry);
    }

    private interface PerExpert
    {
        double get(int layer, int expert);
    }

    private interface ExpertCell
    {
        void visit(int layer, int expert);
    }

    private static void eachExpert(final RoutingCounters r, final ExpertCell cell)
    {
        for (int l = 0; l < r.layers(); l++)
        {
            for (int e = 0; e < r.experts(); e++)
            {
                cell.visit(l, e);
            }
        }
    }

    private static void eachLayer(final RoutingCounters r, final IntConsumer layer)
    {
        for (int l = 0; l < r.layers(); l++)
        {
            layer.accept(l);
        }
    }

    // Only the experts this node has computed: the others live elsewhere.
    public static void registerCompute(final PrometheusRegistry registry, final ExpertEndpoint endpoint)
    {
        final ExpertEndpoint.Shape shape = endpoint.shape();
        CounterWithCallback.builder().name("switchyard_expert_compute_seconds")
            .help("Time each expert spent in its forward passes on this node.").labelNames("layer", "expert")
            .callback(cb ->
            {
                for (int l = 0; l < shape.layers(); l++)
                {
                    for (int e = 0; e < shape.numExperts(); e++)
                    {
                        if (endpoint.computedRows(l, e) > 0)
                        {
                            cb.call(endpoint.computeNanos(l, e) * 1e-9, Integer.toString(l), Integer.toString(e));
                        }
                    }
                }
            })
            .register(registry);
        CounterWithCallback.builder().name("switchyard_expert_computed_rows")
            .help("Rows each expert computed on this node.").labelNames("layer", "expert")
            .callback(cb ->
            {
                for (int l = 0; l < shape.layers(); l++)
                {
                    for (int e = 0; e < shape.numExperts(); e++)
                    {
                        if (endpoint.computedRows(l, e) > 0)
                        {
                            cb.call(endpoint.computedRows(l, e), Integer.toString(l), Integer.toString(e));
                        }
                    }
                }
            })
            .register(registry);
    }
}
