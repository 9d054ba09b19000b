"""El entrenamiento de una PINN: ``train_pinn`` y sus piezas.

``train_pinn`` solo orquesta: valida los argumentos, arma la pérdida
ponderada y llama a una función por fase (:func:`adam_phase`, luego
:func:`lbfgs_phase`). Las dos comparten un :class:`Recorder`, que lleva el
reloj (con sincronización de CUDA), el historial, la comprobación de NaN, la
línea de progreso y los *callbacks*.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Iterable, Mapping

import torch
from torch import nn

from .._progress import ProgressLine
from .._validate import check_int, check_positive
from ..device import synchronize
from .callbacks import Callback, PINNState
from .history import PINNHistory

__all__ = ["train_pinn", "adam_phase", "lbfgs_phase", "Recorder", "weighted_loss"]

Objective = Callable[[], tuple[torch.Tensor, dict[str, torch.Tensor]]]

_NAN_HINT = "Pruebe una tasa de aprendizaje menor, escalar el residuo o revisar los pesos."


def weighted_loss(
    loss_terms: Callable[[], Mapping[str, torch.Tensor]], weights: Mapping[str, float]
) -> Objective:
    """La función que evalúa ``L = Σ_k weights[k] · loss_terms()[k]`` y devuelve ``(L, términos)``.

    Examples
    --------
    >>> objective = weighted_loss(lambda: {"a": torch.tensor(2.0), "b": torch.tensor(1.0)}, {"a": 3.0})
    >>> objective()[0]
    tensor(7.)
    """
    def evaluate() -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        terms = loss_terms()
        if not isinstance(terms, Mapping) or not terms:
            raise TypeError("loss_terms() debe devolver un dict no vacío {nombre: tensor escalar}.")
        unknown = set(weights) - set(terms)
        if unknown:
            raise ValueError(f"weights tiene claves que no son términos de la pérdida: {sorted(unknown)}; "
                             f"los términos son {sorted(terms)}.")
        for name, value in terms.items():
            if not isinstance(value, torch.Tensor) or value.numel() != 1:
                raise ValueError(f"El término {name!r} debe ser un tensor escalar (use .mean()).")
        total = sum(weights.get(k, 1.0) * v.reshape(()) for k, v in terms.items())
        return total, dict(terms)

    return evaluate


class Recorder:
    """Lo que las dos fases comparten: reloj, historial, NaN, progreso y *callbacks*.

    El reloj cuenta solo el entrenamiento: :meth:`pause` y :meth:`resume`
    sincronizan CUDA (para que el trabajo encolado caiga del lado correcto) y
    todo lo que pasa entre ellos (registrar, ``error_fn``, los *callbacks*) no
    suma. ``history.seconds`` son segundos acumulados.

    Examples
    --------
    >>> objective = weighted_loss(lambda: {"a": torch.tensor(1.0)}, {})
    >>> rec = Recorder(objective, nn.Identity(), (), [], None, total_iters=10, progress=False)
    >>> rec.log(0, "adam", None)
    >>> rec.history.loss, rec.history.terms
    ([1.0], {'a': [1.0]})
    """

    def __init__(self, objective: Objective, model: nn.Module, extra_params: tuple[torch.Tensor, ...],
                 callbacks: list[Callback], error_fn: Callable[[], float] | None, total_iters: int,
                 progress: bool, device: torch.device | None = None) -> None:
        self.objective = objective
        self.model, self.extra_params, self.callbacks = model, extra_params, callbacks
        self.error_fn, self.total_iters, self.device = error_fn, total_iters, device
        # Solo los que redefinen on_step detienen el reloj tras cada paso (y sincronizan CUDA).
        self.steppers = [cb for cb in callbacks if type(cb).on_step is not Callback.on_step]
        self.adam_iters: int | None = None
        self.history = PINNHistory()
        self.line = ProgressLine(total_iters, progress)
        self.trained = 0.0                 # segundos de entrenamiento acumulados
        self.started = time.perf_counter()
        self.last_log = 0

    def pause(self) -> None:
        """Detiene el reloj (tras sincronizar CUDA) y suma lo transcurrido."""
        synchronize(self.device)  # en CUDA, que el reloj incluya el trabajo encolado
        self.trained += time.perf_counter() - self.started

    def resume(self) -> None:
        """Vuelve a poner en marcha el reloj (tras sincronizar CUDA)."""
        synchronize(self.device)  # lo que encolaron el registro o los callbacks no cuenta
        self.started = time.perf_counter()

    def state(self, it: int, phase: str, optimizer: torch.optim.Optimizer) -> PINNState:
        return PINNState(it, phase, self.model, optimizer, self.history, self.extra_params, self.adam_iters)

    def begin(self, phase: str, optimizer: torch.optim.Optimizer) -> None:
        """Los ``on_begin`` de los *callbacks*, antes del primer paso."""
        for cb in self.callbacks:
            cb.on_begin(self.state(0, phase, optimizer))

    def step(self, it: int, phase: str, optimizer: torch.optim.Optimizer) -> None:
        """Los ``on_step`` de los *callbacks* que lo redefinen, con el reloj detenido;
        si ninguno lo redefine no se detiene nada (ni se sincroniza CUDA)."""
        if self.steppers:
            self.pause()
            for cb in self.steppers:
                cb.on_step(self.state(it, phase, optimizer))
            self.resume()

    def log(self, it: int, phase: str, optimizer: torch.optim.Optimizer,
            evaluated: tuple[torch.Tensor, Mapping[str, torch.Tensor]] | None = None) -> None:
        """Registra la pérdida de la iteración ``it``: la de ``evaluated`` si se acaba
        de calcular, o una evaluación nueva en los parámetros actuales (fuera del reloj)."""
        self.pause()
        total, terms = evaluated if evaluated is not None else self.objective()
        values = torch.stack([total.detach()] + [v.detach().reshape(()) for v in terms.values()]).cpu().tolist()
        if not all(map(math.isfinite, values)):
            since = self.last_log
            where = f"en la iteración {it}" if since >= it else f"entre las iteraciones {since} y {it}"
            raise FloatingPointError(f"La pérdida se volvió {values[0]} {where} ({phase}). {_NAN_HINT}")
        self.last_log = it
        h = self.history
        h.iteration.append(it)
        h.phase.append(phase)
        h.seconds.append(self.trained)
        h.loss.append(values[0])
        for name, value in zip(terms, values[1:]):
            h.terms.setdefault(name, []).append(value)
        if self.error_fn is not None:
            h.error.append(float(self.error_fn()))
        for cb in self.callbacks:
            cb.on_log(self.state(it, phase, optimizer))
        self.line.update(it, _progress_text(it, self.total_iters, h))
        self.resume()

    def end(self, optimizer: torch.optim.Optimizer) -> None:
        """Los ``on_end`` de los *callbacks*, con el último registro."""
        for cb in self.callbacks:
            cb.on_end(self.state(self.history.iteration[-1], self.history.phase[-1], optimizer))


def adam_phase(params: list[torch.Tensor], objective: Objective, rec: Recorder, *,
               iters: int, lr: float, log_every: int) -> torch.optim.Optimizer:
    """``iters`` pasos de Adam. El registro de la iteración ``it`` usa la pérdida
    evaluada para el paso ``it`` (sin evaluarla otra vez). Devuelve el optimizador."""
    optimizer = torch.optim.Adam(params, lr=lr)
    rec.adam_iters = iters
    rec.begin("adam" if iters else "lbfgs", optimizer)
    if iters:
        rec.resume()
    for it in range(iters):
        optimizer.zero_grad(set_to_none=True)
        total, terms = objective()
        if it % log_every == 0:
            rec.log(it, "adam", optimizer, (total, terms))
        total.backward()
        optimizer.step()
        rec.step(it + 1, "adam", optimizer)
    return optimizer


def lbfgs_phase(params: list[torch.Tensor], objective: Objective, rec: Recorder, *,
                start: int, iters: int, log_every: int, history_size: int) -> torch.optim.Optimizer:
    """Hasta ``iters`` iteraciones de L-BFGS (búsqueda lineal de Wolfe fuerte),
    de ``log_every`` en ``log_every`` para registrar el progreso; ``start`` es la
    iteración en la que empieza (la cuenta sigue la de Adam)."""
    optimizer = torch.optim.LBFGS(
        params, lr=1.0, max_iter=log_every, history_size=history_size, line_search_fn="strong_wolfe",
        tolerance_grad=1e-10, tolerance_change=1e-14,
    )
    done = 0

    def closure() -> torch.Tensor:
        optimizer.zero_grad(set_to_none=True)
        total, _ = objective()
        # L-BFGS ya lee la pérdida en la CPU en cada evaluación: comprobarla aquí no cuesta.
        if not torch.isfinite(total.detach()):
            raise FloatingPointError(
                f"La pérdida se volvió {total.item()} en la iteración {start + done} (lbfgs). {_NAN_HINT}")
        total.backward()
        return total

    while done < iters:
        chunk = min(log_every, iters - done)
        # max_eval holgado: que corte max_iter y no el número de evaluaciones.
        optimizer.param_groups[0].update(max_iter=chunk, max_eval=chunk * 25)
        before = optimizer.state[params[0]].get("n_iter", 0)
        optimizer.step(closure)
        advanced = optimizer.state[params[0]].get("n_iter", 0) - before
        done += advanced
        rec.log(start + done, "lbfgs", optimizer)
        rec.step(start + done, "lbfgs", optimizer)
        if advanced < chunk:  # convergió (gradiente o cambio por debajo de la tolerancia)
            break
    return optimizer


def train_pinn(
    model: nn.Module,
    loss_terms: Callable[[], Mapping[str, torch.Tensor]],
    *,
    adam_iters: int = 1000,
    adam_lr: float = 1e-3,
    lbfgs_iters: int = 0,
    weights: Mapping[str, float] | None = None,
    error_fn: Callable[[], float] | None = None,
    log_every: int = 50,
    lbfgs_history: int = 50,
    extra_params: Iterable[torch.Tensor] = (),
    callbacks: Iterable[Callback] = (),
    progress: bool = True,
) -> PINNHistory:
    """Entrena una PINN: ``adam_iters`` pasos de Adam y luego hasta
    ``lbfgs_iters`` iteraciones de L-BFGS con búsqueda lineal de Wolfe fuerte.

    La pérdida es ``L = Σ_k weights[k] · loss_terms()[k]`` (peso 1 si falta).
    Adam es robusto lejos del mínimo; L-BFGS, que aproxima la curvatura con
    los últimos ``lbfgs_history`` gradientes, converge mucho más rápido cerca.

    Cada ``log_every`` iteraciones se registra la pérdida del paso que se acaba
    de dar (sin evaluarla otra vez). Durante Adam nada obliga a la CPU a esperar
    a la GPU salvo esos registros y los *callbacks* que redefinen ``on_step``
    (el reloj se detiene para ellos tras cada paso): que la pérdida sea finita
    se comprueba al registrar, no en cada paso.

    Parameters
    ----------
    model
        La red (ya en su dispositivo y ``dtype``).
    loss_terms
        Función sin argumentos que devuelve ``{"nombre": escalar}``, por ejemplo
        ``{"edo": ..., "ci": ...}``; se llama en cada evaluación de la pérdida.
    weights
        Pesos λ de cada término; una clave que no sea un término es un error.
    error_fn
        Función sin argumentos que devuelve un ``float`` (por ejemplo el error
        L2 relativo contra la solución exacta); se evalúa cada ``log_every``
        iteraciones y no cuenta en el tiempo.
    extra_params
        Parámetros entrenables que no están en ``model`` (por ejemplo un
        coeficiente físico desconocido en un problema inverso).
    callbacks
        Objetos :class:`~pidl.pinn.callbacks.Callback`: :class:`~pidl.pinn.callbacks.RecordValues` (seguir un parámetro),
        :class:`~pidl.pinn.callbacks.EveryK` (volver a muestrear cada k pasos), :class:`~pidl.pinn.callbacks.AdamLR`
        (calendario de la tasa de Adam), :class:`~pidl.pinn.callbacks.KeepBest` (quedarse con los
        mejores pesos). Lo que hacen no cuenta en el tiempo.
    progress
        Una sola línea de progreso (en un notebook se actualiza en su lugar).

    Returns
    -------
    PINNHistory

    Raises
    ------
    FloatingPointError
        Si la pérdida se vuelve NaN o infinita (el mensaje dice entre qué
        iteraciones).

    Examples
    --------
    >>> from pidl.pinn import PINN, AdamLR
    >>> from pidl.residuals import partial
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> model = PINN(1, width=16, depth=2, output_transform=lambda t, n: 1 + t * n)
    >>> t = torch.linspace(0, 1, 32).reshape(-1, 1).requires_grad_(True)
    >>> terms = lambda: {"edo": (partial(model(t), t, 0) + model(t)).pow(2).mean()}  # u' = -u
    >>> h = train_pinn(model, terms, adam_iters=200, adam_lr=1e-2, lbfgs_iters=50, progress=False,
    ...                callbacks=[AdamLR(lambda it: 1e-2 if it < 100 else 3e-3)])
    >>> h.final_loss < 1e-6, h.phase[-1]
    (True, 'lbfgs')
    """
    adam_iters = check_int(adam_iters, "adam_iters", minimum=0)
    lbfgs_iters = check_int(lbfgs_iters, "lbfgs_iters", minimum=0)
    if adam_iters + lbfgs_iters == 0:
        raise ValueError("adam_iters y lbfgs_iters son 0: no hay nada que entrenar.")
    log_every = check_int(log_every, "log_every")
    check_positive(adam_lr, "adam_lr")
    if not callable(loss_terms):
        raise TypeError("loss_terms debe ser una función sin argumentos que devuelva {nombre: escalar}.")
    callbacks = list(callbacks)
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(f"Cada callback debe ser un pidl.pinn.Callback, no {type(cb).__name__}.")
    extra_params = tuple(extra_params)
    params = [p for p in model.parameters() if p.requires_grad] + list(extra_params)
    if not params:
        raise ValueError("No hay parámetros entrenables.")
    _warn_float64_cuda(params[0])

    objective = weighted_loss(loss_terms, dict(weights or {}))
    rec = Recorder(objective, model, extra_params, callbacks, error_fn, adam_iters + lbfgs_iters, progress,
                   params[0].device)
    optimizer = adam_phase(params, objective, rec, iters=adam_iters, lr=adam_lr, log_every=log_every)
    # El último registro de Adam (o el primero, si no hubo Adam) se hace en los parámetros finales.
    rec.log(adam_iters, "adam" if adam_iters or not lbfgs_iters else "lbfgs", optimizer)
    if lbfgs_iters:
        optimizer = lbfgs_phase(params, objective, rec, start=adam_iters, iters=lbfgs_iters,
                                log_every=log_every, history_size=lbfgs_history)
    rec.end(optimizer)
    return rec.history


def _warn_float64_cuda(param: torch.Tensor) -> None:
    """Avisa (una vez por sesión) que float64 en CUDA es caro."""
    global _WARNED_FLOAT64_CUDA
    if param.dtype == torch.float64 and param.device.type == "cuda" and not _WARNED_FLOAT64_CUDA:
        _WARNED_FLOAT64_CUDA = True
        warnings.warn(
            "Entrenando en float64 sobre CUDA: las GPU de consumo hacen float64 entre 16 y 64 veces "
            "más lento que float32 (las de centro de datos, unas 2 veces). Úselo solo si la precisión lo exige.",
            stacklevel=3,
        )


_WARNED_FLOAT64_CUDA = False


def _progress_text(it: int, total: int, history: PINNHistory) -> str:
    parts = [f"iteración {it}/{total} ({history.phase[-1]})", f"pérdida {history.loss[-1]:.3e}"]
    if history.error:
        parts.append(f"error {history.error[-1]:.3e}")
    parts.append(f"{history.total_seconds:.1f} s")
    return " · ".join(parts)
