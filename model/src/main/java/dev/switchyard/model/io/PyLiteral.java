package dev.switchyard.model.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the Python literal of a {@code .npy} header: dicts, tuples, lists, strings, ints,
 * {@code True}/{@code False}/{@code None}. Tuples come back as {@link Tuple}, lists as {@link List},
 * dicts as {@link Map}, ints as {@link Long}.
 */
final class PyLiteral
{
    /** A Python tuple; numpy requires the shape to be one. */
    record Tuple(List<Object> items)
    {
    }

    static final class SyntaxException extends Exception
    {
        SyntaxException(final String message)
        {
            super(message, null, false, false);
        }
    }

    private final String text;
    private int at;

    private PyLiteral(final String text)
    {
        this.text = text;
    }

    static Object parse(final String text) throws SyntaxException
    {
        final PyLiteral p = new PyLiteral(text);
        final Object value = p.value();
        p.skipSpace();
        if (p.at != text.length())
        {
            throw p.error("unexpected '" + text.charAt(p.at) + "'");
        }
        return value;
    }

    /** {@code value} as Python's repr would print it (for messages). */
    static String repr(final Object value)
    {
        return switch (value)
        {
            case null -> "None";
            case String s -> "'" + s + "'";
            case Boolean b -> b ? "True" : "False";
            case Tuple t -> t.items().size() == 1 ? "(" + repr(t.items().getFirst()) + ",)" : join("(", t.items(), ")");
            case List<?> l -> join("[", l, "]");
            case Map<?, ?> m ->
            {
                final StringBuilder sb = new StringBuilder("{");
                for (final Map.Entry<?, ?> e : m.entrySet())
                {
                    sb.append(sb.length() > 1 ? ", " : "").append(repr(e.getKey())).append(": ")
                        .append(repr(e.getValue()));
                }
                yield sb.append('}').toString();
            }
            default -> value.toString();
        };
    }

    private static String join(final String open, final List<?> items, final String close)
    {
        final StringBuilder sb = new StringBuilder(open);
        for (int i = 0; i < items.size(); i++)
        {
            sb.append(i == 0 ? "" : ", ").append(repr(items.get(i)));
        }
        return sb.append(close).toString();
    }

    private Object value() throws SyntaxException
    {
        skipSpace();
        if (at >= text.length())
        {
            throw error("unexpected end");
        }
        final char c = text.charAt(at);
        return switch (c)
        {
            case '{' -> dict();
            case '(' ->
            {
                at++;
                final ArrayList<Object> items = new ArrayList<>();
                final boolean trailingComma = items(')', items);
                // "(5)" is just 5 in Python, "(5,)" is a tuple.
                yield items.size() == 1 && !trailingComma ? items.getFirst() : new Tuple(List.copyOf(items));
            }
            case '[' ->
            {
                at++;
                final ArrayList<Object> items = new ArrayList<>();
                items(']', items);
                yield items;
            }
            case '\'', '"' -> string(c);
            default ->
            {
                if (c == '-' || c == '+' || Character.isDigit(c))
                {
                    yield integer();
                }
                yield word();
            }
        };
    }

    /** Reads items up to {@code close}; returns whether the last item had a trailing comma. */
    private boolean items(final char close, final List<Object> out) throws SyntaxException
    {
        boolean trailingComma = false;
        while (true)
        {
            skipSpace();
            if (at < text.length() && text.charAt(at) == close)
            {
                at++;
                return trailingComma;
            }
            if (!out.isEmpty() && !trailingComma)
            {
                throw error("expected ',' or '" + close + "'");
            }
            out.add(value());
            skipSpace();
            trailingComma = at < text.length() && text.charAt(at) == ',';
            if (trailingComma)
            {
                at++;
            }
        }
    }

    private Map<Object, Object> dict() throws SyntaxException
    {
        at++;
        final Map<Object, Object> out = new LinkedHashMap<>();
        boolean needComma = false;
        while (true)
        {
            skipSpace();
            if (at < text.length() && text.charAt(at) == '}')
            {
                at++;
                return out;
            }
            if (needComma)
            {
                throw error("expected ',' or '}'");
            }
            final Object key = value();
            skipSpace();
            if (at >= text.length() || text.charAt(at) != ':')
            {
                throw error("expected ':'");
            }
            at++;
            if (out.containsKey(key))
            {
                throw error("key " + repr(key) + " appears twice");
            }
            out.put(key, value());
            skipSpace();
            needComma = true;
            if (at < text.length() && text.charAt(at) == ',')
            {
                at++;
                needComma = false;
            }
        }
    }

    private String string(final char quote) throws SyntaxException
    {
        at++;
        final StringBuilder sb = new StringBuilder();
        while (at < text.length())
        {
            final char c = text.charAt(at++);
            if (c == quote)
            {
                return sb.toString();
            }
            if (c == '\\' && at < text.length())
            {
                sb.append(text.charAt(at++));
            }
            else
            {
                sb.append(c);
            }
        }
        throw error("unterminated string");
    }

    private Long integer() throws SyntaxException
    {
        final int start = at;
        if (text.charAt(at) == '-' || text.charAt(at) == '+')
        {
            at++;
        }
        while (at < text.length() && Character.isDigit(text.charAt(at)))
        {
            at++;
        }
        final String digits = text.substring(start, at);
        // Python 2 wrote long ints with an L suffix; numpy still reads them.
        if (at < text.length() && text.charAt(at) == 'L')
        {
            at++;
        }
        if (at < text.length() && (text.charAt(at) == '.' || text.charAt(at) == 'e' || text.charAt(at) == 'E'))
        {
            throw error("only integers are expected, found a float");
        }
        try
        {
            return Long.parseLong(digits);
        }
        catch (final NumberFormatException ex)
        {
            throw error("bad integer '" + digits + "'");
        }
    }

    private Object word() throws SyntaxException
    {
        final int start = at;
        while (at < text.length() && Character.isLetterOrDigit(text.charAt(at)))
        {
            at++;
        }
        final String word = text.substring(start, at);
        return switch (word)
        {
            case "True" -> Boolean.TRUE;
            case "False" -> Boolean.FALSE;
            case "None" -> null;
            default -> throw error(word.isEmpty() ? "unexpected '" + text.charAt(start) + "'" : "unexpected '" +
                word + "'");
        };
    }

    private void skipSpace()
    {
        while (at < text.length() && Character.isWhitespace(text.charAt(at)))
        {
            at++;
        }
    }

    private SyntaxException error(final String what)
    {
        return new SyntaxException(what + " at character " + at);
    }
}
