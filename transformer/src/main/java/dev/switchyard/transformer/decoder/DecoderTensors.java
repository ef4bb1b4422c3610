package dev.switchyard.transformer.decoder;

import java.util.Arrays;

import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.model.checkpoint.WeightTensor;
import dev.switchyard.wire.BadInputException;

/** The dense tensors of a checkpoint, checked against the shape the config implies and widened to float32. */
final class DecoderTensors
{
    private final Checkpoint checkpoint;

    DecoderTensors(final Checkpoint checkpoint)
    {
        this.checkpoint = checkpoint;
    }

    /**
     * Tensor {@code name} in the given shape, widened exactly to float32 on the heap.
     *
     * @throws BadInputException naming the tensor when it is missing or has another shape
     */
    float[] load(final String name, final long... shape)
    {
        final WeightTensor t = checkpoint.tensor(name);
        if (!Arrays.equals(t.shapeCopy(), shape))
        {
            throw new BadInputException("tensor " + name + " has shape " + t.shapeString() + "; the config implies " +
                Arrays.toString(shape));
        }
        return t.toF32().toArray();
    }

    /** As {@link #load}, or null when {@code present} is false. */
    float[] optional(final boolean present, final String name, final long... shape)
    {
        return present ? load(name, shape) : null;
    }
}
