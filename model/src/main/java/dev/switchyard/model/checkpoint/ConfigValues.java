package dev.switchyard.model.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.switchyard.wire.BadInputException;

/**
 * The values of a checkpoint's config.json. A key that is absent takes the default of the
 * transformers configuration class of the family (passed by the caller); a key that is present
 * with the wrong type, or null where a value is needed, is an error naming the key.
 */
final class ConfigValues
{
    private final Path file;
    private final JsonNode root;

    private ConfigValues(final Path file, final JsonNode root)
    {
        this.file = file;
        this.root = root;
    }

    static ConfigValues read(final Path file)
    {
        if (!Files.isRegularFile(file))
        {
            throw new BadInputException("checkpoint config " + file + " does not exist");
        }
        try
        {
            final JsonNode root = JsonMapper.builder().build().readTree(Files.readAllBytes(file));
            if (root == null || !root.isObject())
            {
                throw new BadInputException(file + " is not a JSON object");
            }
            return new ConfigValues(file, root);
        }
        catch (final JsonProcessingException ex)
        {
            throw new BadInputException(file + " is not valid JSON: " + ex.getOriginalMessage(), ex);
        }
        catch (final IOException ex)
        {
            throw new BadInputException("cannot read " + file + ": " + ex, ex);
        }
    }

    Path file()
    {
        return file;
    }

    BadInputException bad(final String key, final String what)
    {
        return new BadInputException(file + ": " + key + " " + what);
    }

    boolean has(final String key)
    {
        return root.has(key);
    }

    /** A text field of an object-valued setting, or null where either is absent or not so. */
    String field(final String key, final String field)
    {
        final JsonNode v = root.path(key).path(field);
        return v.isTextual() ? v.textValue() : null;
    }

    String string(final String key, final String fallback)
    {
        final JsonNode v = root.get(key);
        if (v == null)
        {
            return fallback;
        }
        if (!v.isTextual())
        {
            throw bad(key, v + " is not a string");
        }
        return v.textValue();
    }

    /** The first of {@code keys} present (the two spellings of one setting), else {@code fallback}. */
    int integer(final int fallback, final String... keys)
    {
        for (final String key : keys)
        {
            if (root.has(key))
            {
                final Integer v = nullableInteger(key, null);
                if (v == null)
                {
                    throw bad(key, "is null; a number is needed");
                }
                return v;
            }
        }
        return fallback;
    }

    /** An integer where the configuration class allows None. */
    Integer nullableInteger(final String key, final Integer fallback)
    {
        final JsonNode v = root.get(key);
        if (v == null)
        {
            return fallback;
        }
        if (v.isNull())
        {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt())
        {
            throw bad(key, v + " is not an integer");
        }
        return v.intValue();
    }

    boolean bool(final String key, final boolean fallback)
    {
        final JsonNode v = root.get(key);
        if (v == null)
        {
            return fallback;
        }
        if (!v.isBoolean())
        {
            throw bad(key, v + " is not true or false");
        }
        return v.booleanValue();
    }

    double number(final String key, final double fallback)
    {
        final JsonNode v = root.get(key);
        if (v == null)
        {
            return fallback;
        }
        if (!v.isNumber() || !Double.isFinite(v.doubleValue()))
        {
            throw bad(key, v + " is not a finite number");
        }
        return v.doubleValue();
    }

    /** A list of integers; absent or null is empty (the classes' {@code None} → {@code []}). */
    List<Integer> integers(final String key)
    {
        final JsonNode v = root.get(key);
        final List<Integer> out = new ArrayList<>();
        if (v == null || v.isNull())
        {
            return out;
        }
        if (!v.isArray())
        {
            throw bad(key, v + " is not a list of integers");
        }
        for (final JsonNode e : v)
        {
            if (!e.isIntegralNumber() || !e.canConvertToInt())
            {
                throw bad(key, v + " is not a list of integers");
            }
            out.add(e.intValue());
        }
        return out;
    }

    /** {@code value} must lie in [min, max]. */
    int range(final String key, final int value, final int min, final int max)
    {
        if (value < min || value > max)
        {
            throw bad(key, "= " + value + " is out of range [" + min + ", " + max + "]");
        }
        return value;
    }
}
