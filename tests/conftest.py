"""Test tiers: everything under tests/e2e/ is marked ``e2e`` (the installed scripts in a real terminal or browser);
``slow`` is marked test by test. ``make quick`` leaves both out."""

from __future__ import annotations

from pathlib import Path

import pytest

E2E = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)
