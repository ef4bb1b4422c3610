package dev.switchyard.node.record;

/** The served model's shape, as a recording states it; a replay target must serve the same. */
public record RecordedModel(int dModel, int experts, int groupSize, int layers, int maxRequestRows)
{
    /** Why a gateway serving {@code other} cannot replay this traffic, or null when it can. */
    public String mismatch(final int otherD, final int otherExperts, final int otherGroupSize, final int otherLayers)
    {
        if (otherD != dModel || otherExperts != experts || otherGroupSize != groupSize || otherLayers < layers)
        {
            return "the recording's model has d_model " + dModel + ", " + experts + " experts, group size " +
                groupSize + ", " + layers + " layer(s); the gateway serves d_model " + otherD + ", " + otherExperts +
                " experts, group size " + otherGroupSize + ", " + otherLayers + " layer(s)";
        }
        return null;
    }
}
