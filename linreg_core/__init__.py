"""linreg_core: linear regression by gradient descent at four levels of automation.

Pure core (NumPy, and torch for cases 2–4 only when they run); never imports a UI library.
"""

from linreg_core.config import CASES, PRESETS, ConfigError, DataSpec, TrainConfig
from linreg_core.data import DataError, Dataset
from linreg_core.events import EpochEnded, EpochSpan, ParamsSet, RunError, RunFinished, RunReset

__all__ = [
    "CASES", "PRESETS", "ConfigError", "DataError", "DataSpec", "Dataset", "EpochSpan", "EpochEnded", "ParamsSet",
    "RunError", "RunFinished", "RunReset", "TrainConfig",
]


def version() -> str:
    """The installed distribution's version (pyproject.toml is the one source)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("linreg-tui")
    except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
        return "0+unknown"


def __getattr__(name: str) -> str:
    if name == "__version__":  # looked up when asked for: importlib.metadata stays off the start-up path
        return version()
    raise AttributeError(name)
