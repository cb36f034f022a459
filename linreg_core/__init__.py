"""linreg_core: linear regression by gradient descent at four levels of automation.

Pure core (NumPy, and torch for cases 2–4 only when they run); never imports a UI library.
"""

from linreg_core.config import CASES, PRESETS, ConfigError, DataSpec, TrainConfig
from linreg_core.data import DataError, Dataset
from linreg_core.events import EpochBlock, EpochEnded, ParamsSet, RunError, RunFinished, RunReset

__all__ = [
    "CASES", "PRESETS", "ConfigError", "DataError", "DataSpec", "Dataset", "EpochBlock", "EpochEnded", "ParamsSet",
    "RunError", "RunFinished", "RunReset", "TrainConfig",
]
__version__ = "0.1.0"
