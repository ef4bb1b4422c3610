package dev.switchyard.experts.actor;

import java.util.concurrent.Executor;

import dev.switchyard.experts.endpoint.ExpertEndpoint;

/**
 * What an expert actor needs from its node: the endpoint that serves its blocks, the loader of its
 * weights and an executor for that blocking load.
 */
public record ExpertHost(ExpertEndpoint endpoint, ExpertLoader loader, Executor loadExecutor)
{
}
