"""The core import stays light: no compiler and no optional extras at ``import mfrec``."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("numba", "pandas", "polars", "matplotlib", "optuna", "fastapi", "dask")


def test_import_mfrec_loads_no_heavy_module():
    code = "import sys, mfrec; print(','.join(m for m in %r if m in sys.modules))" % (HEAVY,)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_public_names_are_exported():
    import mfrec

    for name in ("read_ratings", "MatrixFactorization", "load_model", "Ratings", "IdMap", "InputError"):
        assert name in mfrec.__all__
        assert hasattr(mfrec, name)
