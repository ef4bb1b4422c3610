"""Which OpenBLAS kernel numpy runs (e.g. SkylakeX, Haswell, Zen), asked from the loaded library."""
import ctypes

import numpy as np  # noqa: F401  (loads the BLAS library)


def core_name():
    with open("/proc/self/maps") as maps:
        paths = sorted({line.split()[-1] for line in maps if "openblas" in line and ".so" in line})
    for path in paths:
        lib = ctypes.CDLL(path)
        for symbol in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename",
                       "openblas_get_corename64_", "openblas_get_corename"):
            fn = getattr(lib, symbol, None)
            if fn is not None:
                fn.restype = ctypes.c_char_p
                return fn().decode()
    return "unknown (numpy does not link OpenBLAS)"
