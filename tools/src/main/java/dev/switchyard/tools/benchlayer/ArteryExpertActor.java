package dev.switchyard.tools.benchlayer;

import dev.switchyard.compute.network.BlockCompute;
import dev.switchyard.wire.frame.ExpertBlockFrame;
import dev.switchyard.wire.frame.WireLayout;
import dev.switchyard.wire.sbe.BlockStatus;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The expert side of the Artery transport: decodes an {@code ExpertBlock} frame, runs its expert and
 * answers the gateway's inbox with the result frame; a frame it cannot serve is answered with its
 * status and no rows.
 */
final class ArteryExpertActor
{
    private ArteryExpertActor()
    {
    }

    /**
     * @param inboxAddress the gateway inbox in serialized form, resolved in this actor's system (remote)
     * @param experts      layer 0's experts, [E]
     */
    static Behavior<byte[]> create(
        final String inboxAddress, final BlockCompute[] experts, final int maxRows, final int d)
    {
        return Behaviors.setup(ctx ->
        {
            final ActorRef<byte[]> inbox = ActorRefResolver.get(ctx.getSystem()).resolveActorRef(inboxAddress);
            final ExpertBlockFrame frame = new ExpertBlockFrame();
            final UnsafeBuffer out = new UnsafeBuffer(new byte[(int)WireLayout.blockFrameLength(maxRows, d)]);
            final float[] x = new float[maxRows * d]; // [rows, d]
            final float[] y = new float[maxRows * d]; // [rows, d]
            return Behaviors.receive(byte[].class).onMessage(byte[].class, message ->
            {
                final BlockStatus framing = frame.wrap(new UnsafeBuffer(message), 0, message.length);
                if (framing == BlockStatus.MALFORMED)
                {
                    return Behaviors.same();
                }
                BlockStatus status = framing;
                final int expert = frame.expert();
                final int rows = frame.rows();
                if (status == BlockStatus.OK && (expert < 0 || expert >= experts.length))
                {
                    status = BlockStatus.UNKNOWN_EXPERT;
                }
                else if (status == BlockStatus.OK && (frame.cols() != d || rows > maxRows))
                {
                    status = BlockStatus.BAD_SHAPE;
                }
                final int length;
                if (status == BlockStatus.OK)
                {
                    frame.readRows(x, 0);
                    experts[expert].forward(x, 0, rows, y, 0);
                    length = frame.write(out, 0, frame.groupId(), 0, frame.layer(), expert, 0, rows, d,
                        BlockStatus.OK, y, 0);
                }
                else
                {
                    length = frame.write(out, 0, frame.groupId(), 0, frame.layer(), expert, 0, 0, 0, status, y, 0);
                }
                final byte[] answer = new byte[length];
                out.getBytes(0, answer);
                inbox.tell(answer);
                return Behaviors.same();
            }).build();
        });
    }
}
