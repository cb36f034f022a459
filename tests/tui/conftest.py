"""Every Pilot session of the app ends as a user's session can: once the first screen takes keys."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

import pytest
from textual.pilot import Pilot

from tui_app.app import LinregApp


@pytest.fixture(autouse=True)
def end_when_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    """A user's q, typed at once, is held until the main screen takes keys (its menu and switch mounted after the
    first screen is drawn); a Pilot session leaving sooner shuts the app down while Textual's Select is mounting,
    which fails inside the Select. So a test's session ends once the screen is ready, or the app has exited."""
    run_test = LinregApp.run_test

    @asynccontextmanager
    async def run_test_until_ready(self: LinregApp, *args: Any, **kwargs: Any) -> AsyncIterator[Pilot[Any]]:
        async with run_test(self, *args, **kwargs) as pilot:
            try:
                yield pilot
            finally:
                for _ in range(500):
                    first = self.screen_stack[0] if self.screen_stack else None
                    if getattr(first, "ready_for_keys", True) or self.return_code is not None:
                        break
                    await asyncio.sleep(0.01)

    monkeypatch.setattr(LinregApp, "run_test", run_test_until_ready)
