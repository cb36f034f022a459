"""The app's colours, safe for colour-blind learners (the Okabe–Ito palette), and never the only cue: what a colour
marks is always said by a word or a mark as well (hand / torch, ━ • x in legends), so the app reads the same with
NO_COLOR=1."""

from __future__ import annotations

#: Written by hand (NumPy, or torch tensors updated by hand) — orange.
HAND = "#E69F00"
#: Done by torch (autograd, nn.MSELoss, torch.optim, nn.Linear) — sky blue.
TORCH = "#56B4E9"
#: The four cases in compare mode: orange, sky blue, reddish purple, bluish green.
CASE = {1: "#E69F00", 2: "#56B4E9", 3: "#CC79A7", 4: "#009E73"}


def rgb(color: str) -> tuple[int, int, int]:
    """``#RRGGBB`` as plotext takes it."""
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)
