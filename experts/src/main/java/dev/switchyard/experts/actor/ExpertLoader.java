package dev.switchyard.experts.actor;

/** Loads one expert of the node's model: maps its weights and prepares its network. */
@FunctionalInterface
public interface ExpertLoader
{
    LoadedExpert load(int layer, int expert);
}
