"""With NO_COLOR=1 the app stays readable: what is written by hand and what torch does is told by a word in the case
pane and in the code view, not by colour alone."""

from __future__ import annotations

import re

import pytest

from .helpers import make_app, screen_text


def step_words(text: str) -> dict[str, str]:
    """The case pane's steps as {step: who}, read off the screen (``Prediction  hand …``)."""
    return dict((step, who) for step, who in re.findall(r"(Prediction|Loss|Gradient|Update)\s+(hand|torch)", text))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_no_color_keeps_hand_and_torch_as_words(monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(case=1)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert app.no_color
        assert step_words(screen_text(app)) == dict.fromkeys(["Prediction", "Loss", "Gradient", "Update"], "hand")
        await pilot.press("2")
        await pilot.pause()
        assert step_words(screen_text(app)) == {"Prediction": "hand", "Loss": "hand", "Gradient": "torch",
                                                "Update": "hand"}
        await pilot.press("v")
        await pilot.pause()
        code = screen_text(app)
        assert re.search(r"▌ torch\s+loss\.backward\(\)", code), code
        assert re.search(r"▌ hand\s+y_pred = ", code), code
