"""What each of the notebook's four cases is, read without importing torch: its name, where its trainer lives, and
who does each of its four blocks — by hand or by torch. Everything else a case is follows from those four words
(uses torch at all, writes its update by hand, takes its loss and optimizer from torch, holds w and b in a model)."""

from __future__ import annotations

from dataclasses import dataclass

MANUAL = "manual"


@dataclass(frozen=True)
class Case:
    number: int
    name: str
    module: str
    """The case's file under linreg_core/cases/."""
    trainer: str
    """Its trainer class there."""
    steps: dict[str, str]
    """The notebook's four bullets: who does each block ("manual" or what of torch does it)."""
    params: tuple[str, str] = ("w", "b")
    """The parameters' names in its code."""

    @property
    def torch(self) -> bool:
        """Some block is torch's (cases 2–4): torch is imported, parameters are tensors."""
        return any(how != MANUAL for how in self.steps.values())

    @property
    def hand_update(self) -> bool:
        """The update (and with it the MSE loss) written by hand: only plain SGD on the MSE applies (cases 1–2)."""
        return self.steps["Update"] == MANUAL

    @property
    def torch_loss(self) -> bool:
        """Loss and optimizer from torch (cases 3–4)."""
        return self.steps["Loss"] != MANUAL

    @property
    def model(self) -> bool:
        """An nn.Module holds w and b and makes the prediction (case 4)."""
        return self.steps["Prediction"] != MANUAL

    @property
    def default_init(self) -> str:
        """Where its parameters start unless given."""
        return "nn.Linear" if self.model else "0"


CASE: dict[int, Case] = {c.number: c for c in (
    Case(1, "Manual (NumPy)", "manual", "ManualTrainer",
         {"Prediction": MANUAL, "Loss": MANUAL, "Gradient": MANUAL, "Update": MANUAL}),
    Case(2, "Autograd", "autograd", "AutogradTrainer",
         {"Prediction": MANUAL, "Loss": MANUAL, "Gradient": "autograd", "Update": MANUAL}),
    Case(3, "Loss + optimizer", "torch_optim", "TorchOptimTrainer",
         {"Prediction": MANUAL, "Loss": "nn.MSELoss", "Gradient": "autograd", "Update": "torch.optim"}),
    Case(4, "nn.Module", "module", "ModuleTrainer",
         {"Prediction": "nn.Linear", "Loss": "nn.MSELoss", "Gradient": "autograd", "Update": "torch.optim"},
         params=("lin.weight", "lin.bias")),
)}
