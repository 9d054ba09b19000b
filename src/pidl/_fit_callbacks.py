"""Los callbacks de :func:`pidl.training.fit` (privado: se importan desde
:mod:`pidl.training`). Son del mismo tipo que los de
:func:`~pidl.pinn.loop.train_pinn`: subclases de :class:`~pidl.pinn.callbacks.Callback`,
pero reciben un :class:`FitState` en lugar de un ``PINNState``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from ._validate import check_int
from .pinn.callbacks import AdamLR, Callback, EveryK, KeepBest, RecordValues

if TYPE_CHECKING:  # pragma: no cover
    from .training import History

__all__ = ["FitState", "EarlyStopping", "EpochScheduler"]


@dataclass
class FitState:
    """Lo que :func:`~pidl.training.fit` le pasa a cada callback (subclases de
    :class:`~pidl.pinn.callbacks.Callback`, el protocolo de :func:`~pidl.pinn.loop.train_pinn`;
    los callbacks de :mod:`pidl.pinn` leen un ``PINNState`` y ``fit`` los rechaza).

    ``fit`` llama a ``on_begin`` antes de la primera época, a ``on_log`` al final
    de cada época (con sus pérdidas y métricas ya en ``history``) y a ``on_end``
    al terminar; ``on_step`` no se usa (el bucle por lotes no se interrumpe).

    Attributes
    ----------
    epoch : int
        Épocas completadas.
    model, optimizer
        Los que se entrenan.
    history : History
        El registro hasta ahora.
    stop : bool
        Un callback lo pone en ``True`` para terminar después de esta época.
    """

    epoch: int
    model: nn.Module
    optimizer: torch.optim.Optimizer
    history: History
    stop: bool = False

    @property
    def monitored(self) -> float:
        """La pérdida de validación de la última época (o la de entrenamiento si no hay validación)."""
        return self.history.val_loss[-1] if self.history.val_loss else self.history.train_loss[-1]


class EarlyStopping(Callback):
    """*Early stopping*: termina si la pérdida monitoreada (:attr:`~pidl.training.FitState.monitored`)
    no mejora durante ``patience`` épocas seguidas y, al final, restaura los pesos de
    la mejor época. ``fit(..., early_stopping=p)`` es lo mismo que ``callbacks=[EarlyStopping(p)]``.

    Examples
    --------
    >>> stopper = EarlyStopping(patience=1)
    >>> model = nn.Linear(1, 1)
    >>> from pidl.training import History
    >>> state = FitState(1, model, None, History(train_loss=[1.0]))
    >>> stopper.on_log(state); state.stop
    False
    >>> state.history.train_loss.append(2.0); stopper.on_log(state); state.stop
    True
    """

    def __init__(self, patience: int) -> None:
        self.patience = check_int(patience, "patience")
        self.best, self.stale = math.inf, 0
        self.best_state: dict[str, Any] | None = None

    def on_log(self, state: FitState) -> None:
        if state.monitored < self.best:
            self.best, self.stale = state.monitored, 0
            self.best_state = copy.deepcopy(state.model.state_dict())
            return
        self.stale += 1
        if self.stale >= self.patience:
            state.stop = state.history.stopped_early = True

    def on_end(self, state: FitState) -> None:
        if self.best_state is not None:
            state.model.load_state_dict(self.best_state)


class EpochScheduler(Callback):
    """Avanza un *scheduler* de ``torch.optim.lr_scheduler`` una vez por época
    (``ReduceLROnPlateau`` recibe :attr:`~pidl.training.FitState.monitored`).
    ``fit(..., scheduler=s)`` es lo mismo que ``callbacks=[EpochScheduler(s)]``.

    Examples
    --------
    >>> from pidl.training import History
    >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    >>> cb = EpochScheduler(torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5))
    >>> opt.step()                                  # una época de entrenamiento
    >>> cb.on_log(FitState(1, None, opt, History(train_loss=[1.0]))); opt.param_groups[0]["lr"]
    0.5
    """

    def __init__(self, scheduler: Any) -> None:
        self.scheduler = scheduler
        self.plateau = isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)

    def on_log(self, state: FitState) -> None:
        if self.plateau:
            self.scheduler.step(state.monitored)
        else:
            self.scheduler.step()


# Los callbacks de pidl.pinn leen campos de PINNState que FitState no tiene (o esperan on_step).
_PINN_ONLY = (RecordValues, EveryK, AdamLR, KeepBest)


def _check_callbacks(callbacks: Iterable[Callback]) -> list[Callback]:
    callbacks = list(callbacks)
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(f"Cada callback debe ser un pidl.pinn.Callback, no {type(cb).__name__}.")
        if isinstance(cb, _PINN_ONLY):
            raise TypeError(f"{type(cb).__name__} es un callback de train_pinn (lee un PINNState) y no "
                            "funciona en fit; use EarlyStopping, EpochScheduler o una subclase propia de "
                            "Callback que lea un FitState.")
    return callbacks
