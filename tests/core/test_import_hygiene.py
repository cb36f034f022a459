"""The core never imports a UI library; case 1, data and config never import torch."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _modules_after(code: str) -> set[str]:
    script = code + "\nimport sys\nprint(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.slow
def test_core_never_imports_textual_or_plotext() -> None:
    mods = _modules_after(
        "import linreg_core, linreg_core.cli, linreg_core.stream, linreg_core.analysis\n"
        "from linreg_core.cli import main\nimport io\n"
        "main(['run', '--case', '4'], io.StringIO(), io.StringIO())")
    assert "torch" in mods  # the torch case really ran
    assert not {"textual", "plotext", "textual_plotext"} & mods


def test_case1_data_and_config_do_not_import_torch() -> None:
    mods = _modules_after(
        "import io\nfrom linreg_core.cli import main\n"
        "assert main(['run', '--case', '1', '--data', 'synthetic', '--predict', '1 2'], io.StringIO(), "
        "io.StringIO()) == 0")
    assert "torch" not in mods
    assert "linreg_core" in mods



def test_the_app_module_does_not_import_torch() -> None:
    # torch comes in with a torch case, in the training process
    mods = _modules_after("import tui_app.__main__, tui_app.app")
    assert "textual" in mods and "torch" not in mods
    # plotext too comes later: the first screen draws no figure (a thread loads it once the screen is up)
    assert not {"plotext", "textual_plotext"} & mods
