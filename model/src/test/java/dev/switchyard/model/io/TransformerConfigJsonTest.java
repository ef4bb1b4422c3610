package dev.switchyard.model.io;

import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.TransformerConfig;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The decode length hparams are numbers, as the seed's float hparams are. */
class TransformerConfigJsonTest
{
    private static String config(final String multiplier, final String constant)
    {
        return """
            {"d_model": 16, "d_ff": 32, "num_experts": 4,
             "routing": {"group_size": 8},
             "transformer": {"type": "encdec", "vocab_size": 32, "max_length": 64, "heads": 2, "kv_dim": 8,
               "decode_length_multiplier": %s, "decode_length_constant": %s,
               "encoder_layers": ["att", "moe"], "decoder_layers": ["att", "enc_att", "moe"]}}
            """.formatted(multiplier, constant);
    }

    private static TransformerConfig parse(final String multiplier, final String constant)
    {
        final ModelConfig config = ModelConfigJson.parse(config(multiplier, constant), "c.json");
        return config.transformer();
    }

    @Test
    void acceptsIntegerAndFloatConstants()
    {
        assertEquals(10.0, parse("1.5", "10").decodeLengthConstant());
        assertEquals(10.0, parse("1.5", "10.0").decodeLengthConstant());
        assertEquals(2.5, parse("2", "2.5").decodeLengthConstant());
        assertEquals(2.5, parse("2.5", "2").decodeLengthMultiplier());
    }

    @Test
    void decodeLengthIsTheFlooredSumCappedByTheWidth()
    {
        // floor(7 × 1.5 + 10.0) = floor(20.5) = 20
        assertEquals(20, parse("1.5", "10.0").decodeLength(7, 64));
        // floor(3 × 2 + 2.5) = 8
        assertEquals(8, parse("2", "2.5").decodeLength(3, 64));
        // floor(5 × 2.5 + 2.5) = 15, capped by a width of 12
        assertEquals(12, parse("2.5", "2.5").decodeLength(5, 12));
    }

    @Test
    void writtenConfigReadsBackTheSame()
    {
        final ModelConfig config = ModelConfigJson.parse(config("2.5", "2.5"), "c.json");
        assertEquals(config, ModelConfigJson.parse(ModelConfigJson.toJson(config), "written"));
    }

    @Test
    void negativeOrNonNumericConstantIsOneLine()
    {
        final BadInputException negative = assertThrows(BadInputException.class, () -> parse("1.5", "-0.5"));
        assertTrue(negative.getMessage().contains("transformer.decode_length_constant must be >= 0"),
            negative.getMessage());
        final BadInputException text = assertThrows(BadInputException.class, () -> parse("1.5", "\"ten\""));
        assertTrue(text.getMessage().contains("transformer.decode_length_constant must be a number"),
            text.getMessage());
    }
}
