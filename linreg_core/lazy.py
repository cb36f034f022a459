"""NumPy imported at its first use. The app draws its first screen before it needs an array, and NumPy's import is
a large part of what the app adds to a bare Textual app's start (docs/performance.md); the modules on that path write

    if TYPE_CHECKING:
        import numpy as np
    else:
        from linreg_core.lazy import np

and use ``np`` as usual. The first attribute read imports NumPy and copies its names into the stand-in, so the
reads after it cost what a module's do."""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """Stands for the module ``name`` until an attribute is read, then holds that module's names."""

    def __init__(self, name: str):
        self.__dict__["_lazy_name"] = name

    def __getattr__(self, attr: str) -> Any:  # called only for names not copied yet
        module = importlib.import_module(self.__dict__["_lazy_name"])
        self.__dict__.update(vars(module))
        return getattr(module, attr)

    def __repr__(self) -> str:
        return f"<lazy module {self.__dict__['_lazy_name']!r}>"


np = LazyModule("numpy")
