package dev.switchyard.model.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;

/** Small JSON helpers shared by the readers and writers of this package. */
final class Jsons
{
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Jsons()
    {
    }

    /** Jackson's message without its multi-line source excerpt, with the line and column. */
    static String oneLine(final JsonProcessingException ex)
    {
        final String message = String.valueOf(ex.getOriginalMessage())
            .replaceAll("\\[Source: [^;\\]]*; ", "[")
            .replaceAll("\\s+", " ")
            .trim();
        final JsonLocation at = ex.getLocation();
        if (at == null || at.getLineNr() < 0)
        {
            return message;
        }
        return message + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    /** Appends {@code s} as a JSON string literal, escaped as serde_json escapes it. */
    static void appendString(final StringBuilder out, final String s)
    {
        out.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
