"""The README's picture: the app rendered by itself as an SVG, from a real run of case 2 on the seed data.

    python -m tui_app.screenshot docs/linreg-tui.svg     (make screenshots)

tests/test_docs.py renders it again and checks that the file in docs/ is current.
"""

from __future__ import annotations

import asyncio
import sys

from linreg_core.config import TrainConfig
from linreg_core.data import seed
from linreg_core.stream import RunStream
from tui_app.app import LinregApp

SIZE = (120, 34)


async def render() -> str:
    """The main screen once case 2 has run its 20 epochs (the notebook's trace) and the screen has caught up."""
    app = LinregApp(TrainConfig.for_case(2), seed(), speed=None, cursor_blink=False, stream_factory=RunStream)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        session = app.session
        for _ in range(600):
            await pilot.pause(0.05)
            if session.state.ended and session.stream.settled.is_set() and not app.main.display_due:
                break
        else:
            raise RuntimeError(f"the run did not finish: {session.state}")
        await pilot.pause(0.2)
        return app.export_screenshot()


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else "docs/linreg-tui.svg"
    svg = asyncio.run(render())
    with open(path, "w", encoding="utf-8") as f:
        f.write(svg)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
