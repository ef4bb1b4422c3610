package dev.switchyard.experts.actor;

/** Marks a message that crosses nodes: bound to Jackson CBOR in the actor system's configuration. */
public interface CborSerializable
{
}
