package dev.switchyard.node.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.DataPlaneSettings;
import dev.switchyard.wire.BadInputException;

/**
 * Checks a node's {@code switchyard} section against the reference configuration before anything
 * starts: every key must be one the reference names (a misspelt key would otherwise be silently
 * ignored and its default taken), of the reference's type, and within its range. An object that the
 * reference leaves empty ({@code {}}) is open: its keys are the user's own. Values of keys that look
 * secret are never echoed.
 */
public final class ConfigCheck
{
    private static final String ROOT = "switchyard";
    /** Sections of earlier releases, and where their keys are now. */
    private static final Map<String, String> MOVED = Map.of(
        "switchyard.metrics", "switchyard.http (metrics.http-port is http.port, metrics.http-host is http.host)");

    private ConfigCheck()
    {
    }

    /** Throws one {@link BadInputException} naming every key that is wrong, or returns. */
    public static void validate(final Config full)
    {
        validate(full, ConfigFactory.defaultReference(ConfigCheck.class.getClassLoader()));
    }

    static void validate(final Config full, final Config reference)
    {
        if (!full.hasPath(ROOT))
        {
            return;
        }
        final ConfigObject known = reference.getObject(ROOT);
        final Set<String> knownPaths = new TreeSet<>();
        collectLeaves(known, ROOT, knownPaths);
        final List<String> problems = new ArrayList<>();
        check(full.getObject(ROOT), known, ROOT, knownPaths, problems);
        if (problems.isEmpty())
        {
            checkTerms(full, problems);
        }
        if (!problems.isEmpty())
        {
            throw new BadInputException("configuration: " + String.join("; ", problems));
        }
    }

    /**
     * Term lengths and the MTU by the media driver's rules, so that a value it would refuse is
     * refused here, naming the key, before anything starts. UDP terms carry the configured MTU; IPC
     * terms the embedded driver's IPC MTU.
     */
    private static void checkTerms(final Config full, final List<String> problems)
    {
        final String mtuKey = ROOT + ".data-plane.mtu";
        if (!full.hasPath(mtuKey))
        {
            return;
        }
        final int mtu = full.getInt(mtuKey);
        checkTerm(full, ROOT + ".data-plane.udp-term-length", mtu, problems);
        checkTerm(full, ROOT + ".data-plane.ipc-term-length", DataPlane.IPC_MTU, problems);
    }

    private static void checkTerm(final Config full, final String key, final int mtu, final List<String> problems)
    {
        if (!full.hasPath(key) || "auto".equals(full.getValue(key).unwrapped()))
        {
            return;
        }
        final long bytes;
        try
        {
            bytes = full.getBytes(key);
        }
        catch (final ConfigException ex)
        {
            problems.add(key + " must be auto or a size such as 4m (got " + shown(key, full.getValue(key)) + ")");
            return;
        }
        final String problem = DataPlaneSettings.termProblem(bytes, mtu);
        if (problem != null)
        {
            problems.add(key + " must be auto or " + problem + " (got " + shown(key, full.getValue(key)) + ")");
        }
    }

    private static void check(
        final ConfigObject given, final ConfigObject known, final String path, final Set<String> knownPaths,
        final List<String> problems)
    {
        for (final Map.Entry<String, ConfigValue> entry : given.entrySet())
        {
            final String key = path + "." + quoteIfNeeded(entry.getKey());
            final ConfigValue value = entry.getValue();
            final ConfigValue reference = known.get(entry.getKey());
            if (reference == null)
            {
                problems.add("unknown key " + key + (MOVED.containsKey(key) ? " (moved to " + MOVED.get(key) + ")" :
                    suggestion(key, knownPaths)));
                continue;
            }
            if (reference.valueType() == ConfigValueType.OBJECT)
            {
                if (value.valueType() != ConfigValueType.OBJECT)
                {
                    problems.add(key + " must be an object {...}");
                }
                else if (!((ConfigObject)reference).isEmpty())
                {
                    check((ConfigObject)value, (ConfigObject)reference, key, knownPaths, problems);
                }
                continue;
            }
            final String typeProblem = typeProblem(reference, value);
            if (typeProblem != null)
            {
                problems.add(key + " must be " + typeProblem + " (got " + shown(key, value) + ")");
                continue;
            }
            final Range range = Ranges.of(key);
            if (range != null && value.valueType() != ConfigValueType.NULL)
            {
                final String rangeProblem = range.problem(value);
                if (rangeProblem != null)
                {
                    problems.add(key + " must be " + rangeProblem + " (got " + shown(key, value) + ")");
                }
            }
        }
    }

    /** What {@code value} should have been, or null when it can be read as the reference's type. */
    private static String typeProblem(final ConfigValue reference, final ConfigValue value)
    {
        final Object raw = value.unwrapped();
        return switch (reference.valueType())
        {
            case NUMBER -> value.valueType() == ConfigValueType.NUMBER || isNumber(raw) ? null : "a number";
            case BOOLEAN -> value.valueType() == ConfigValueType.BOOLEAN || isBoolean(raw) ? null : "true or false";
            case LIST -> value.valueType() == ConfigValueType.LIST ? null : "a list [...]";
            case STRING -> value.valueType() == ConfigValueType.OBJECT || value.valueType() == ConfigValueType.LIST ?
                "a single value" : null;
            default -> null;
        };
    }

    private static boolean isNumber(final Object raw)
    {
        if (!(raw instanceof String text))
        {
            return false;
        }
        try
        {
            Double.parseDouble(text.strip());
            return true;
        }
        catch (final NumberFormatException ex)
        {
            return false;
        }
    }

    private static boolean isBoolean(final Object raw)
    {
        return raw instanceof String text &&
            Set.of("true", "false", "on", "off", "yes", "no").contains(text.strip().toLowerCase(Locale.ROOT));
    }

    private static String shown(final String key, final ConfigValue value)
    {
        final String lower = key.toLowerCase(Locale.ROOT);
        if (lower.contains("password") || lower.contains("secret"))
        {
            return "a value that is not shown";
        }
        final String text = value.render().replace('\n', ' ');
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }

    private static void collectLeaves(final ConfigObject object, final String path, final Set<String> out)
    {
        for (final Map.Entry<String, ConfigValue> entry : object.entrySet())
        {
            final String key = path + "." + quoteIfNeeded(entry.getKey());
            out.add(key);
            if (entry.getValue() instanceof ConfigObject child)
            {
                collectLeaves(child, key, out);
            }
        }
    }

    /** " (did you mean K?)" for the known key closest to {@code key}, if one is close enough. */
    static String suggestion(final String key, final Set<String> knownPaths)
    {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        final String leaf = leaf(key);
        for (final String candidate : knownPaths)
        {
            // The whole path, or the same last word under another section.
            final int distance = Math.min(
                EditDistance.of(key, candidate),
                leaf.equals(leaf(candidate)) ? 1 : Integer.MAX_VALUE);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }
        final int allowed = Math.max(2, leaf.length() / 3);
        return best != null && bestDistance <= allowed ? " (did you mean " + best + "?)" : "";
    }

    private static String leaf(final String path)
    {
        return path.substring(path.lastIndexOf('.') + 1);
    }

    private static String quoteIfNeeded(final String key)
    {
        try
        {
            ConfigFactory.empty().hasPath(key);
            return key;
        }
        catch (final ConfigException.BadPath ex)
        {
            return "\"" + key + "\"";
        }
    }
}
