"""Una pasada por los datos y la puesta en dispositivo de :func:`pidl.training.fit` (privado).

``_run_epoch`` es el bucle interno: lotes al dispositivo, AMP opcional,
recorte del gradiente, *scheduler* por lote; acumula las pérdidas en el
dispositivo y las lee una sola vez al final (una sincronización por época).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import torch
from torch import nn

Metric = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _to_device(batch: Any, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        raise ValueError(
            "Cada lote debe ser un par (entradas, objetivos); se recibió "
            f"{type(batch).__name__}" + (f" de largo {len(batch)}." if isinstance(batch, (tuple, list)) else ".")
        )
    x, y = batch
    return x.to(device, non_blocking=True), y.to(device, non_blocking=True)


def _check_loader(loader: Any, name: str) -> None:
    """Rechaza con un mensaje claro lo que no es un iterable de lotes."""
    from torch.utils.data import Dataset

    if isinstance(loader, Dataset):
        raise TypeError(
            f"{name} es un Dataset ({type(loader).__name__}), que da ejemplos sueltos y no lotes: "
            f"envuélvalo en torch.utils.data.DataLoader({name.split('_')[0]}_dataset, batch_size=...)."
        )
    if isinstance(loader, torch.Tensor):
        raise TypeError(
            f"{name} es un tensor: pase un iterable de pares (x, y), por ejemplo "
            "pidl.TensorLoader(x, y, batch_size=...) o un DataLoader."
        )
    if not isinstance(loader, Iterable):
        raise TypeError(
            f"{name} debe ser un iterable de pares (x, y) (un DataLoader o un TensorLoader); "
            f"se recibió {type(loader).__name__}."
        )


def _run_epoch(
    model: nn.Module,
    loader: Iterable,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    metrics: Mapping[str, Metric],
    device: torch.device,
    *,
    optimizer: torch.optim.Optimizer | None = None,
    scaler: torch.amp.GradScaler | None = None,
    amp_dtype: torch.dtype | None = None,
    grad_clip: float | None = None,
    batch_scheduler: Any = None,
    epoch: int = 0,
) -> dict[str, float]:
    """Una pasada por ``loader``; entrena si se da ``optimizer``. Devuelve medias.

    Es la función más larga del paquete (unas 60 líneas) a propósito: el camino
    de cada lote (AMP, recorte, *scheduler* por lote) queda a la vista en un solo
    bucle, sin llamadas por lote que cuesten tiempo (``tools/bench_fit.py``).
    """
    training = optimizer is not None
    model.train(training)
    loss_sums: list[torch.Tensor] = []
    metric_sums: dict[str, list[torch.Tensor]] = {name: [] for name in metrics}
    counts: list[int] = []

    def autocast() -> contextlib.AbstractContextManager:
        if amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device.type, dtype=amp_dtype)

    with torch.set_grad_enabled(training):
        for x, y in (_to_device(b, device) for b in loader):
            with autocast():
                output = model(x)
                loss = loss_fn(output, y)
            if training:
                optimizer.zero_grad(set_to_none=True)
                stepped = True
                if scaler is not None:
                    scaler.scale(loss).backward()
                    if grad_clip is not None:
                        scaler.unscale_(optimizer)
                        nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
                    scale = scaler.get_scale() if batch_scheduler is not None else None
                    scaler.step(optimizer)
                    scaler.update()
                    # Si GradScaler saltó el paso (gradientes inf/NaN) bajó la escala: el
                    # scheduler tampoco avanza, o el calendario se adelantaría al optimizador.
                    if scale is not None and scaler.get_scale() < scale:
                        stepped = False
                else:
                    loss.backward()
                    if grad_clip is not None:
                        nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
                    optimizer.step()
                if batch_scheduler is not None and stepped:
                    batch_scheduler.step()
            n = len(y)
            counts.append(n)
            loss_sums.append(loss.detach().float() * n)
            if metrics:
                with torch.no_grad():
                    out = output.detach().float()
                    for name, fn in metrics.items():
                        metric_sums[name].append(torch.as_tensor(fn(out, y), dtype=torch.float32) * n)
    if not counts:
        raise ValueError("El DataLoader no produjo ningún lote: ¿está vacío el conjunto de datos?")
    # Una sola sincronización por época: se leen todas las pérdidas juntas.
    losses = torch.stack(loss_sums).cpu()
    bad = (~torch.isfinite(losses)).nonzero()
    if len(bad):
        where = "entrenamiento" if training else "evaluación"
        raise FloatingPointError(
            f"La pérdida se volvió {losses[bad[0, 0]].item()} en la época {epoch}, lote {bad[0, 0].item() + 1} "
            f"({where}). Pruebe una tasa de aprendizaje menor, grad_clip o revisar los datos."
        )
    total = sum(counts)
    result = {"loss": float(losses.sum()) / total}
    for name, sums in metric_sums.items():
        result[name] = float(torch.stack(sums).sum().cpu()) / total
    return result


def _resolve_device(
    model: nn.Module, device: torch.device | str | None, optimizer: torch.optim.Optimizer | None = None
) -> torch.device:
    """``device`` si se da; si no, el del modelo cuando ya está en un acelerador
    (un modelo en ``cuda:1`` se queda ahí) o cuando su optimizador ya tiene
    estado (los momentos de Adam viven junto a los pesos: mover solo los pesos
    rompería el paso siguiente), y :func:`pidl.get_device` en otro caso."""
    if device is not None:
        return torch.device(device)
    current = next((p.device for p in model.parameters()), None)
    has_state = optimizer is not None and len(optimizer.state) > 0
    if current is not None and (current.type != "cpu" or has_state):
        return current
    from .device import get_device

    return get_device()


def _move_optimizer_state(optimizer: torch.optim.Optimizer, device: torch.device) -> None:
    """Lleva el estado ya construido del optimizador (momentos de Adam...) a ``device``,
    junto con el modelo. El contador ``step`` de Adam se queda en la CPU."""
    for param_state in optimizer.state.values():
        for key, value in param_state.items():
            if isinstance(value, torch.Tensor) and key != "step":
                param_state[key] = value.to(device)
