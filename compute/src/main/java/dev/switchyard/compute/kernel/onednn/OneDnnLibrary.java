package dev.switchyard.compute.kernel.onednn;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.ADDRESS;

/**
 * Finds oneDNN's shared library and loads it once per process.
 * <p>
 * The library comes from the class path (the {@code org.bytedeco:dnnl} jar for linux-x86_64 carries
 * {@code libdnnl.so.3} and the {@code libgomp.so.1} it links), extracted once into a per-user cache
 * directory, since a shared object can only be mapped from a file. {@value #LIBRARY_PROPERTY} (or the
 * environment variable {@value #LIBRARY_ENV}) names another {@code libdnnl.so.3} of the 3.x line instead.
 * Where nothing loads, {@link #reason()} says why in one line, and the backend is unavailable.
 */
public final class OneDnnLibrary
{
    public static final String LIBRARY_PROPERTY = "switchyard.onednn.library";
    public static final String LIBRARY_ENV = "SWITCHYARD_ONEDNN_LIBRARY";

    private static final String RESOURCE_DIR = "org/bytedeco/dnnl/linux-x86_64/";
    private static final String DNNL = "libdnnl.so.3";
    private static final String GOMP = "libgomp.so.1";

    private static final OneDnnLibrary INSTANCE = load();

    private final OneDnnFunctions functions;
    private final MemorySegment engine;
    private final String reason;

    private OneDnnLibrary(final OneDnnFunctions functions, final String reason)
    {
        this.functions = functions;
        this.engine = functions == null ? null : functions.engineCreateCpu(Arena.global().allocate(ADDRESS));
        this.reason = reason;
    }

    /** The process's library: loaded on first use, or the reason it could not be. */
    public static OneDnnLibrary get()
    {
        return INSTANCE;
    }

    public boolean available()
    {
        return functions != null;
    }

    /** Why the library is unavailable, or null when it loaded. */
    public String reason()
    {
        return reason;
    }

    /** The library's version, e.g. {@code 3.13.0}. */
    public String version()
    {
        return functions().version();
    }

    /**
     * The CPU has bfloat16 dot products (AVX-512 BF16) or tile units (AMX), so bf16 products run at
     * more than the f32 rate; elsewhere oneDNN emulates them.
     */
    public boolean hasBf16Units()
    {
        final int isa = functions().effectiveCpuIsa();
        return (isa & OneDnnConstants.ISA_AVX512_CORE_BF16) == OneDnnConstants.ISA_AVX512_CORE_BF16;
    }

    /** The CPU engine every primitive runs on. */
    MemorySegment engine()
    {
        functions();
        return engine;
    }

    /** The bound functions; fails with {@link #reason()} where the library did not load. */
    OneDnnFunctions functions()
    {
        if (functions == null)
        {
            throw new IllegalStateException("the native backend is unavailable: " + reason);
        }
        return functions;
    }

    private static OneDnnLibrary load()
    {
        final String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        final String arch = System.getProperty("os.arch", "");
        try
        {
            final Path library = locate(os, arch);
            if (library == null)
            {
                return new OneDnnLibrary(null, "oneDNN ships here for Linux on x86-64 only (this is " + os + " on " +
                    arch + "); set " + LIBRARY_PROPERTY + " to a libdnnl.so.3 built for it");
            }
            final SymbolLookup dnnl = SymbolLookup.libraryLookup(library, Arena.global());
            // libdnnl.so.3 loaded its libgomp by soname; asking for the soname returns that same copy.
            final SymbolLookup gomp = SymbolLookup.libraryLookup(GOMP, Arena.global());
            return new OneDnnLibrary(new OneDnnFunctions(dnnl, gomp), null);
        }
        catch (final RuntimeException | UnsatisfiedLinkError ex)
        {
            return new OneDnnLibrary(null, "oneDNN did not load: " + ex.getMessage());
        }
    }

    private static Path locate(final String os, final String arch)
    {
        final String named = System.getProperty(LIBRARY_PROPERTY, System.getenv(LIBRARY_ENV));
        if (named != null && !named.isBlank())
        {
            final Path path = Path.of(named);
            if (!Files.isRegularFile(path))
            {
                throw new IllegalArgumentException(LIBRARY_PROPERTY + " names " + named + ", which is not a file");
            }
            return path;
        }
        if (!os.startsWith("linux") || !("amd64".equals(arch) || "x86_64".equals(arch)))
        {
            return null;
        }
        final URL dnnl = OneDnnLibrary.class.getClassLoader().getResource(RESOURCE_DIR + DNNL);
        if (dnnl == null)
        {
            throw new IllegalArgumentException(
                "the class path has no " + RESOURCE_DIR + DNNL + " (the org.bytedeco:dnnl linux-x86_64 jar)");
        }
        final Path dir = cacheDirectory(dnnl);
        extract(GOMP, dir);
        return extract(DNNL, dir);
    }

    /** $XDG_CACHE_HOME or ~/.cache, one directory per version of the jar's libraries. */
    private static Path cacheDirectory(final URL url)
    {
        final String xdg = System.getenv("XDG_CACHE_HOME");
        final Path base = xdg != null && !xdg.isBlank() ?
            Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        // The jar's path names its version: two versions never share a directory.
        final String version = Integer.toHexString(url.toString().hashCode());
        return base.resolve("switchyard").resolve("onednn-" + version);
    }

    /**
     * Writes the resource under a temporary name, then renames it: a reader never maps half a file. A file
     * already there with the resource's size is the one an earlier process wrote.
     */
    private static Path extract(final String name, final Path dir)
    {
        final Path target = dir.resolve(name);
        final URL url = OneDnnLibrary.class.getClassLoader().getResource(RESOURCE_DIR + name);
        if (url == null)
        {
            throw new IllegalArgumentException("the class path has no " + RESOURCE_DIR + name);
        }
        try
        {
            final URLConnection connection = url.openConnection();
            if (Files.isRegularFile(target) && Files.size(target) == connection.getContentLengthLong())
            {
                return target;
            }
            Files.createDirectories(dir);
            final Path partial = Files.createTempFile(dir, name, ".partial");
            try (InputStream in = connection.getInputStream())
            {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + target + ": " + ex.getMessage(), ex);
        }
    }
}
