"""Los *callbacks* de :func:`~pidl.pinn.loop.train_pinn`: objetos con métodos
``on_begin``, ``on_step``, ``on_log`` y ``on_end`` que el bucle llama en esos
momentos con un :class:`PINNState`. Lo que hacen no cuenta en el tiempo.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from .._validate import check_int
from .history import PINNHistory

__all__ = ["PINNState", "Callback", "RecordValues", "EveryK", "AdamLR", "KeepBest"]


@dataclass
class PINNState:
    """Lo que :func:`~pidl.pinn.loop.train_pinn` le pasa a cada *callback*.

    Attributes
    ----------
    iteration : int
        Iteraciones completadas (Adam y L-BFGS seguidas).
    phase : str
        ``"adam"`` o ``"lbfgs"``.
    model : nn.Module
        La red que se entrena.
    optimizer : torch.optim.Optimizer
        El optimizador de la fase (para cambiar su tasa de aprendizaje).
    history : PINNHistory
        El registro hasta ahora.
    extra_params : tuple[torch.Tensor, ...]
        Los ``extra_params`` de :func:`~pidl.pinn.loop.train_pinn` (por ejemplo un coeficiente
        físico desconocido): lo que se entrena además de ``model``.
    adam_iters : int or None
        Los pasos de Adam del entrenamiento (``None`` si no se conocen).
    """

    iteration: int
    phase: str
    model: nn.Module
    optimizer: torch.optim.Optimizer
    history: PINNHistory
    extra_params: tuple[torch.Tensor, ...] = ()
    adam_iters: int | None = None


class Callback:
    """Base de los *callbacks* de :func:`~pidl.pinn.loop.train_pinn`: redefina lo que necesite.

    ``on_begin`` se llama una vez, antes del primer paso; ``on_step`` después
    de cada paso de Adam y de cada tramo de ``log_every`` iteraciones de
    L-BFGS; ``on_log`` justo después de cada registro del historial;
    ``on_end`` al terminar. Todos reciben un :class:`PINNState` y no
    devuelven nada.

    Examples
    --------
    >>> class Count(Callback):
    ...     n = 0
    ...     def on_step(self, state):
    ...         self.n += 1
    >>> Count().on_log(None)  # lo que no se redefine no hace nada
    """

    def on_begin(self, state: PINNState) -> None:
        """Antes del primer paso (``state.iteration == 0``)."""

    def on_step(self, state: PINNState) -> None:
        """Después de cada paso (Adam) o tramo (L-BFGS)."""

    def on_log(self, state: PINNState) -> None:
        """Después de cada registro del historial."""

    def on_end(self, state: PINNState) -> None:
        """Al terminar el entrenamiento."""


class RecordValues(Callback):
    """Registra en ``history.extra[nombre]`` el valor de cada función en cada registro.

    Sirve para seguir parámetros que no son la pérdida: un coeficiente físico
    desconocido, un coeficiente de Fourier de la red.

    Parameters
    ----------
    **getters
        ``nombre=función`` sin argumentos que devuelve un número o un tensor
        de un elemento.

    Examples
    --------
    >>> lam = torch.tensor(0.5)
    >>> rec = RecordValues(lam=lambda: lam)
    >>> h = PINNHistory()
    >>> rec.on_log(PINNState(0, "adam", nn.Identity(), None, h))
    >>> h.extra
    {'lam': [0.5]}
    """

    def __init__(self, **getters: Callable[[], Any]) -> None:
        if not getters:
            raise ValueError("RecordValues necesita al menos una función: RecordValues(nombre=fn).")
        for name, fn in getters.items():
            if not callable(fn):
                raise TypeError(f"{name} debe ser una función sin argumentos, no {type(fn).__name__}.")
        self.getters = getters

    def on_log(self, state: PINNState) -> None:
        for name, fn in self.getters.items():
            value = fn()
            value = value.detach().item() if isinstance(value, torch.Tensor) else float(value)
            state.history.extra.setdefault(name, []).append(value)


class EveryK(Callback):
    """Llama a ``fn(state)`` cada ``k`` pasos de Adam (por ejemplo, para volver a
    muestrear los puntos de colocación con :func:`~pidl.pinn.sampling.resample_adaptive`).

    Examples
    --------
    >>> calls = []
    >>> cb = EveryK(2, lambda state: calls.append(state.iteration))
    >>> for it in range(1, 6):
    ...     cb.on_step(PINNState(it, "adam", nn.Identity(), None, PINNHistory()))
    >>> calls
    [2, 4]
    """

    def __init__(self, k: int, fn: Callable[[PINNState], None]) -> None:
        self.k = check_int(k, "k")
        if not callable(fn):
            raise TypeError("fn debe ser una función fn(state).")
        self.fn = fn

    def on_step(self, state: PINNState) -> None:
        if state.phase == "adam" and state.iteration % self.k == 0:
            self.fn(state)


class AdamLR(Callback):
    """Calendario de la tasa de aprendizaje de Adam: el paso ``it`` (contando
    desde 0) usa ``lr = schedule(it)``; ``schedule(0)`` reemplaza a ``adam_lr``.
    Solo se consulta para pasos que se darán: ``schedule(adam_iters)`` nunca se
    llama (una lista de ``adam_iters`` tasas basta).

    Examples
    --------
    >>> cb = AdamLR(lambda it: 1e-2 * 0.5 ** (it // 100))
    >>> opt = torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=1.0)
    >>> cb.on_begin(PINNState(0, "adam", nn.Identity(), opt, PINNHistory()))
    >>> opt.param_groups[0]["lr"]
    0.01
    >>> cb.on_step(PINNState(200, "adam", nn.Identity(), opt, PINNHistory()))
    >>> opt.param_groups[0]["lr"]
    0.0025
    """

    def __init__(self, schedule: Callable[[int], float]) -> None:
        if not callable(schedule):
            raise TypeError("schedule debe ser una función de la iteración.")
        self.schedule = schedule

    def on_begin(self, state: PINNState) -> None:
        self.on_step(state)

    def on_step(self, state: PINNState) -> None:
        # state.iteration = pasos ya dados = índice del próximo paso.
        if state.phase != "adam":
            return
        if state.adam_iters is not None and state.iteration >= state.adam_iters:
            return  # tras el último paso de Adam no hay un paso siguiente que configurar
        lr = float(self.schedule(state.iteration))
        if not lr > 0 or not math.isfinite(lr):
            raise ValueError(f"El calendario dio lr={lr!r} en la iteración {state.iteration}; debe ser positiva.")
        for group in state.optimizer.param_groups:
            group["lr"] = lr


class KeepBest(Callback):
    """Guarda los pesos del mejor registro y los restaura al terminar, junto
    con los ``extra_params`` (en un problema inverso, la red y el coeficiente
    físico vuelven juntos al mismo registro).

    Parameters
    ----------
    monitor
        ``"loss"`` (la pérdida total, lo único disponible sin solución exacta)
        o ``"error"`` (el de ``error_fn``, que solo existe en un problema de
        prueba).

    Attributes
    ----------
    best : float
        El mejor valor registrado.
    best_iteration : int
        Su iteración.

    Examples
    --------
    >>> model = nn.Linear(1, 1)
    >>> keep = KeepBest()
    >>> h = PINNHistory(iteration=[0], loss=[0.1])
    >>> keep.on_log(PINNState(0, "adam", model, None, h))
    >>> with torch.no_grad():
    ...     _ = model.weight.add_(1.0)
    >>> h.iteration.append(10); h.loss.append(0.5)
    >>> keep.on_log(PINNState(10, "adam", model, None, h))
    >>> keep.on_end(PINNState(10, "adam", model, None, h)); keep.best_iteration
    0
    """

    def __init__(self, monitor: str = "loss") -> None:
        if monitor not in ("loss", "error"):
            raise ValueError(f"monitor debe ser 'loss' o 'error', no {monitor!r}.")
        self.monitor = monitor
        self.best = math.inf
        self.best_iteration = -1
        self._state: dict[str, torch.Tensor] | None = None
        self._extra: list[torch.Tensor] = []

    def on_log(self, state: PINNState) -> None:
        values = getattr(state.history, self.monitor)
        if not values:
            raise ValueError("KeepBest(monitor='error') necesita error_fn en train_pinn.")
        if values[-1] < self.best:
            self.best, self.best_iteration = values[-1], state.history.iteration[-1]
            self._state = {k: v.detach().clone() for k, v in state.model.state_dict().items()}
            self._extra = [p.detach().clone() for p in state.extra_params]

    def on_end(self, state: PINNState) -> None:
        if self._state is not None:
            state.model.load_state_dict(self._state)
            with torch.no_grad():
                for param, saved in zip(state.extra_params, self._extra):
                    param.copy_(saved)
