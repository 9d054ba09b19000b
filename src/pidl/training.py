"""El bucle de entrenamiento del libro: ``fit`` y ``evaluate``.

Los capítulos escriben el bucle a mano una vez (capítulo 2) y a partir de ahí
usan ``fit``, que hace lo mismo y además:

- mueve modelo y lotes al dispositivo (``non_blocking=True``);
- usa precisión mixta (AMP) en CUDA si se pide (``amp=True``);
- recorta la norma del gradiente (``grad_clip``);
- avanza el *scheduler* por época (o por lote con ``scheduler_interval="batch"``);
- hace *early stopping* y restaura los mejores pesos;
- acepta callbacks con el mismo protocolo :class:`~pidl.pinn.callbacks.Callback`
  que :func:`~pidl.pinn.loop.train_pinn` (:class:`EarlyStopping` y
  :class:`EpochScheduler` son dos de ellos); los de :mod:`pidl.pinn` leen un
  ``PINNState`` y solo sirven en ``train_pinn``;
- registra pérdidas, métricas, tasa de aprendizaje y segundos de entrenamiento
  acumulados en un ``History`` que sabe graficarse;
- se detiene con un error claro si la pérdida se vuelve NaN o infinita.

Para no sincronizar CPU y GPU en cada lote, las pérdidas de una época se
acumulan en el dispositivo y se leen una sola vez al final de la época.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import torch
from torch import nn

from ._epoch import Metric, _check_loader, _move_optimizer_state, _resolve_device, _run_epoch
from ._fit_callbacks import EarlyStopping, EpochScheduler, FitState, _check_callbacks
from ._progress import ProgressLine
from ._validate import check_int, check_positive
from .device import synchronize
from .pinn.callbacks import Callback

__all__ = ["History", "FitState", "EarlyStopping", "EpochScheduler", "fit", "evaluate", "accuracy"]

def accuracy(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Exactitud de un lote: fracción de aciertos.

    ``output`` son *logits*: de forma (B, C) para C clases (se toma el argmax) o
    (B,) / (B, 1) para clasificación binaria (se compara ``output > 0``).

    Examples
    --------
    >>> accuracy(torch.tensor([[2.0, -1.0], [0.0, 3.0]]), torch.tensor([0, 0]))
    tensor(0.5000)
    """
    if output.dim() == 2 and output.shape[1] > 1:
        pred = output.argmax(dim=1)
    else:
        pred = (output.reshape(-1) > 0).to(target.dtype)
    return (pred.reshape(-1) == target.reshape(-1)).float().mean()


@dataclass
class History:
    """Registro por época de un entrenamiento con :func:`fit`.

    Attributes
    ----------
    train_loss, val_loss : list[float]
        Pérdida media por época (``val_loss`` vacía si no hubo validación).
    metrics : dict[str, list[float]]
        Métricas por época, con prefijo ``train_`` o ``val_`` (``val_acc``...).
    lr : list[float]
        Tasa de aprendizaje del primer grupo de parámetros al terminar cada época.
    seconds : list[float]
        Segundos de entrenamiento acumulados al terminar cada época: solo los
        pasos sobre ``train_loader``, sin la validación ni los *callbacks*
        (lo mismo que :attr:`PINNHistory.seconds <pidl.pinn.history.PINNHistory>`,
        que no cuenta registros, ``error_fn`` ni *callbacks*). ``seconds[-1]`` es
        el total y ``np.diff([0] + seconds)`` la duración de cada época.
    stopped_early : bool
        Si el entrenamiento terminó por *early stopping*.

    Examples
    --------
    >>> h = History(train_loss=[1.0, 0.5, 0.7], val_loss=[1.1, 0.6, 0.8])
    >>> h.best_epoch, h.epochs
    (2, 3)
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    metrics: dict[str, list[float]] = field(default_factory=dict)
    lr: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    stopped_early: bool = False

    def record(self, split: str, values: Mapping[str, float]) -> None:
        """Agrega una época: ``values["loss"]`` a ``{split}_loss`` y cada métrica
        ``m`` a ``metrics[f"{split}_{m}"]`` (``split`` es ``"train"`` o ``"val"``)."""
        getattr(self, f"{split}_loss").append(values["loss"])
        for name, value in values.items():
            if name != "loss":
                self.metrics.setdefault(f"{split}_{name}", []).append(value)

    @property
    def epochs(self) -> int:
        """Número de épocas registradas."""
        return len(self.train_loss)

    @property
    def best_epoch(self) -> int:
        """Época (contando desde 1) con menor pérdida de validación (o de entrenamiento)."""
        curve = self.val_loss or self.train_loss
        if not curve:
            raise ValueError("El historial está vacío: no hay épocas registradas.")
        return min(range(len(curve)), key=curve.__getitem__) + 1

    @property
    def final_loss(self) -> float:
        """Última pérdida de entrenamiento (como ``PINNHistory.final_loss``)."""
        if not self.train_loss:
            raise ValueError("El historial está vacío: no hay épocas registradas.")
        return self.train_loss[-1]

    @property
    def total_seconds(self) -> float:
        """Segundos de entrenamiento en total, ``seconds[-1]`` (0 si está vacío)."""
        return float(self.seconds[-1]) if self.seconds else 0.0

    def plot(self, ax: Any = None, metrics: bool = True, title: str | None = None, *, axes: Any = None) -> Any:
        """Grafica las curvas de aprendizaje (ver :func:`pidl.plotting.plot_history`).

        ``ax`` es un eje o una lista de ejes (uno por panel), como en
        :meth:`~pidl.pinn.history.PINNHistory.plot`; ``axes`` es su nombre anterior.
        """
        from .plotting import plot_history

        if ax is not None and axes is not None:
            raise TypeError("Pase ax o axes (su nombre anterior), no los dos.")
        return plot_history(self, axes=ax if ax is not None else axes, metrics=metrics, title=title)


def _current_lr(optimizer: torch.optim.Optimizer) -> float:
    return float(optimizer.param_groups[0]["lr"])


def _progress_text(epoch: int, epochs: int, history: History) -> str:
    parts = [f"época {epoch}/{epochs}", f"train_loss {history.train_loss[-1]:.4g}"]
    if history.val_loss:
        parts.append(f"val_loss {history.val_loss[-1]:.4g}")
    parts += [f"{k} {v[-1]:.4g}" for k, v in history.metrics.items()]
    parts.append(f"{history.total_seconds:.1f} s")
    return " · ".join(parts)


def evaluate(
    model: nn.Module,
    loader: Iterable,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    metrics: Mapping[str, Metric] | None = None,
    device: torch.device | str | None = None,
) -> dict[str, float]:
    """Evalúa ``model`` en modo ``eval()`` y sin gradientes.

    Returns
    -------
    dict
        ``{"loss": ..., <métrica>: ...}``, medias ponderadas por tamaño de lote.

    Examples
    --------
    >>> from pidl.data import TensorLoader
    >>> model = nn.Linear(2, 1)
    >>> loader = TensorLoader(torch.randn(8, 2), torch.randn(8, 1), batch_size=4)
    >>> sorted(evaluate(model, loader, nn.MSELoss()))
    ['loss']
    """
    _check_loader(loader, "loader")
    device = _resolve_device(model, device)
    model.to(device)
    return _run_epoch(model, loader, loss_fn, metrics or {}, device)


# Larga por su firma (17 opciones, una por cada cosa que el capítulo 2 escribe a mano) y
# su docstring; el cuerpo son unas 50 líneas: validar, preparar AMP y callbacks, el bucle.
def fit(
    model: nn.Module,
    train_loader: Iterable,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    *,
    epochs: int,
    val_loader: Iterable | None = None,
    metrics: Mapping[str, Metric] | None = None,
    scheduler: Any = None,
    scheduler_interval: Literal["epoch", "batch"] = "epoch",
    device: torch.device | str | None = None,
    amp: bool = False,
    amp_dtype: torch.dtype = torch.float16,
    grad_clip: float | None = None,
    early_stopping: int | None = None,
    callbacks: Iterable[Callback] = (),
    progress: bool = True,
) -> History:
    """Entrena ``model`` durante ``epochs`` épocas y devuelve un :class:`History`.

    Parameters
    ----------
    model
        Cualquier ``nn.Module``; se mueve a ``device``.
    train_loader, val_loader
        Iterables de pares ``(x, y)``: un ``torch.utils.data.DataLoader`` (cuyos
        lotes llegan como listas ``[x, y]``; con ``pin_memory=True`` la copia a
        la GPU se solapa con el cálculo gracias a ``non_blocking``) o un
        :class:`pidl.data.TensorLoader`. Se vuelven a recorrer en cada época.
        Un ``Dataset`` suelto o un tensor se rechazan con ``TypeError``. Se
        asume que ``loss_fn`` devuelve la media del lote.
    loss_fn
        ``loss_fn(output, y) -> escalar``.
    optimizer
        Un optimizador de ``torch.optim`` ya construido sobre ``model.parameters()``.
    epochs
        Número máximo de épocas.
    metrics
        ``{"acc": fn}`` con ``fn(output, y) -> escalar`` (media del lote). Se
        registran como ``train_acc`` y ``val_acc``.
    scheduler
        Un *scheduler* de ``torch.optim.lr_scheduler``. Por defecto se avanza
        una vez por época (``ReduceLROnPlateau`` recibe la pérdida de
        validación, o la de entrenamiento si no hay validación). Los que se
        definen por paso, como ``OneCycleLR(total_steps=epochs * len(train_loader))``,
        se pasan con ``scheduler_interval="batch"``.
    device
        Dispositivo; por defecto el del modelo si ya está en un acelerador o si
        el optimizador ya dio pasos (no se mueve), y si no, :func:`pidl.get_device`.
        Si se da, el estado del optimizador se mueve con el modelo.
    amp, amp_dtype
        Precisión mixta con ``torch.autocast``, solo en CUDA (en otro dispositivo
        se avisa y se entrena en float32). Con ``float16`` se usa un ``GradScaler``.
    grad_clip
        Norma máxima del gradiente (``clip_grad_norm_``).
    early_stopping
        Paciencia en épocas: si la pérdida de validación no mejora durante
        ``early_stopping`` épocas seguidas se detiene, y en todo caso al final se
        restauran los pesos de la mejor época (un :class:`EarlyStopping`).
    callbacks
        Subclases de :class:`~pidl.pinn.callbacks.Callback`, el mismo protocolo
        que usa :func:`~pidl.pinn.loop.train_pinn`, pero reciben un
        :class:`FitState` y ``on_step`` no se llama. Los de :mod:`pidl.pinn`
        (``RecordValues``, ``EveryK``, ``AdamLR``, ``KeepBest``) leen un
        ``PINNState`` y se rechazan. ``scheduler`` (por época) y
        ``early_stopping`` se agregan al final de esta lista, en ese orden.
    progress
        Muestra una línea de progreso (en un notebook se actualiza en su lugar).

    Raises
    ------
    FloatingPointError
        Si la pérdida se vuelve NaN o infinita (el mensaje dice época y lote).
    TypeError
        Si un cargador no es un iterable de lotes (un ``Dataset`` sin
        ``DataLoader``, un tensor).

    Examples
    --------
    >>> from pidl.data import TensorLoader
    >>> x = torch.randn(64, 3); y = x @ torch.tensor([[1.0], [-2.0], [0.5]])
    >>> model = nn.Linear(3, 1)
    >>> opt = torch.optim.SGD(model.parameters(), lr=0.1)
    >>> hist = fit(model, TensorLoader(x, y, batch_size=16), nn.MSELoss(), opt,
    ...            epochs=20, device="cpu", progress=False)
    >>> hist.train_loss[-1] < 1e-3
    True

    Con el cargador estándar de PyTorch es igual:

    >>> from torch.utils.data import DataLoader, TensorDataset
    >>> loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)
    >>> hist = fit(model, loader, nn.MSELoss(), opt, epochs=2, device="cpu", progress=False)
    >>> hist.epochs
    2
    """
    _check_fit_args(epochs, scheduler_interval, early_stopping, grad_clip, train_loader, val_loader)
    device = _resolve_device(model, device, optimizer)
    model.to(device)
    _move_optimizer_state(optimizer, device)
    metrics = dict(metrics or {})

    amp_on = bool(amp) and device.type == "cuda"
    if amp and not amp_on:
        warnings.warn(f"amp=True solo tiene efecto en CUDA; en {device} se entrena en float32.", stacklevel=2)
    scaler = torch.amp.GradScaler("cuda") if amp_on and amp_dtype == torch.float16 else None
    plateau = isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)
    if plateau and scheduler_interval == "batch":
        raise ValueError("ReduceLROnPlateau se avanza por época: use scheduler_interval='epoch'.")
    batch_scheduler = scheduler if scheduler_interval == "batch" else None

    callbacks = _check_callbacks(callbacks)
    if scheduler is not None and scheduler_interval == "epoch":
        callbacks.append(EpochScheduler(scheduler))
    if early_stopping is not None:
        callbacks.append(EarlyStopping(early_stopping))

    history = History()
    state = FitState(0, model, optimizer, history)
    for cb in callbacks:
        cb.on_begin(state)
    bar = ProgressLine(epochs, progress)
    elapsed = 0.0
    for epoch in range(1, epochs + 1):
        synchronize(device)
        start = time.perf_counter()
        train = _run_epoch(
            model, train_loader, loss_fn, metrics, device,
            optimizer=optimizer, scaler=scaler, amp_dtype=amp_dtype if amp_on else None,
            grad_clip=grad_clip, batch_scheduler=batch_scheduler, epoch=epoch,
        )
        synchronize(device)  # en CUDA, que el reloj incluya el trabajo encolado
        # Como en train_pinn, el reloj cuenta solo el entrenamiento: ni la
        # validación ni los callbacks (que evalúan o copian pesos) suman.
        elapsed += time.perf_counter() - start
        history.seconds.append(elapsed)
        history.record("train", train)
        if val_loader is not None:
            history.record("val", _run_epoch(model, val_loader, loss_fn, metrics, device,
                                             amp_dtype=amp_dtype if amp_on else None, epoch=epoch))
        state.epoch = epoch
        for cb in callbacks:
            cb.on_log(state)
        history.lr.append(_current_lr(optimizer))
        bar.update(epoch, _progress_text(epoch, epochs, history))
        if state.stop:
            break
    for cb in callbacks:
        cb.on_end(state)
    return history


def _check_fit_args(epochs: Any, scheduler_interval: Any, early_stopping: Any, grad_clip: Any,
                    train_loader: Any, val_loader: Any) -> None:
    check_int(epochs, "epochs")
    if scheduler_interval not in ("epoch", "batch"):
        raise ValueError(f"scheduler_interval debe ser 'epoch' o 'batch', no {scheduler_interval!r}.")
    if early_stopping is not None:
        check_int(early_stopping, "early_stopping (paciencia en épocas)")
    if grad_clip is not None:
        check_positive(grad_clip, "grad_clip")
    _check_loader(train_loader, "train_loader")
    if val_loader is not None:
        _check_loader(val_loader, "val_loader")
