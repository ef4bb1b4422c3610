package dev.switchyard.wire;

/**
 * Input a user or a client got wrong: a file, a shape, a value, a flag. The message is one line
 * that names what is wrong; callers print it as it is, never with a stack trace.
 */
public final class BadInputException extends RuntimeException
{
    public BadInputException(final String message)
    {
        super(message, null, false, false);
    }

    public BadInputException(final String message, final Throwable cause)
    {
        super(message, cause, false, false);
    }
}
