package dev.switchyard.transformer.text;

import java.util.Map;
import java.util.OptionalInt;

/**
 * The special tokens of a tokenizer: every added token that tokenizer.json marks special (content to
 * id), and the roles tokenizer_config.json gives some of them. A role the config leaves out, or
 * sets to null, is empty.
 *
 * @param ids every special token, content to id
 * @param bos the id of {@code bos_token}
 * @param eos the id of {@code eos_token}
 * @param pad the id of {@code pad_token}
 * @param unk the id of {@code unk_token}
 */
public record SpecialTokens(Map<String, Integer> ids, OptionalInt bos, OptionalInt eos, OptionalInt pad,
    OptionalInt unk)
{
    public SpecialTokens
    {
        ids = Map.copyOf(ids);
    }
}
