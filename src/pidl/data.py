"""Datos en memoria para los capítulos: un cargador liviano de tensores.

``torch.utils.data.DataLoader`` sobre un ``TensorDataset`` indexa ejemplo por
ejemplo y vuelve a juntar el lote; con los conjuntos pequeños del libro eso
cuesta más que el propio modelo. :class:`TensorLoader` corta lotes
directamente de los tensores (y puede tenerlos ya en la GPU).
:func:`load_digits_tensors` da los dígitos de scikit-learn como tensores, la
misma preparación en los capítulos 2, 5 y 6.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch

from ._validate import check_int

__all__ = ["TensorLoader", "train_val_split", "load_digits_tensors"]


class TensorLoader:
    """Itera lotes ``(x[idx], y[idx])`` de dos tensores con la misma primera dimensión.

    Parameters
    ----------
    x, y
        Entradas ``(N, ...)`` y objetivos ``(N, ...)``.
    batch_size
        Tamaño de lote; el último lote puede ser menor (salvo ``drop_last``).
    shuffle
        Baraja en cada época usando ``generator`` (reproducible si se siembra).
    device
        Si se da, los tensores se copian una vez a ese dispositivo y los lotes
        salen de allí, sin transferencias por lote.
    pin_memory
        Si los lotes salen de la CPU, los deja en memoria fijada (*pinned*) para
        que la copia a CUDA con ``non_blocking=True`` que hace :func:`pidl.fit`
        se solape con el cálculo (sin memoria fijada, ``non_blocking`` no
        cambia nada). Por defecto (``None``), se fija cuando hay CUDA y los
        datos están en la CPU; ``True`` sin CUDA es un error.

    Examples
    --------
    >>> loader = TensorLoader(torch.arange(10.).reshape(5, 2), torch.arange(5), batch_size=2)
    >>> [len(yb) for _, yb in loader]
    [2, 2, 1]
    """

    def __init__(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        batch_size: int = 64,
        shuffle: bool = False,
        generator: torch.Generator | None = None,
        drop_last: bool = False,
        device: torch.device | str | None = None,
        pin_memory: bool | None = None,
    ) -> None:
        if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
            raise TypeError("x e y deben ser torch.Tensor (use torch.as_tensor para arrays de NumPy).")
        if len(x) != len(y):
            raise ValueError(f"x tiene {len(x)} ejemplos e y tiene {len(y)}: deben coincidir.")
        if len(x) == 0:
            raise ValueError("El conjunto de datos está vacío.")
        batch_size = check_int(batch_size, "batch_size")
        if device is not None:
            x, y = x.to(device), y.to(device)
        on_cpu = x.device.type == "cpu" and y.device.type == "cpu"
        if pin_memory is None:
            pin_memory = on_cpu and torch.cuda.is_available()
        elif pin_memory and not torch.cuda.is_available():
            raise ValueError("pin_memory=True necesita CUDA: la memoria fijada solo acelera copias a la GPU.")
        elif pin_memory and not on_cpu:
            raise ValueError("pin_memory=True con datos que ya están en la GPU no tiene sentido.")
        self.pin_memory = bool(pin_memory)
        self.x, self.y = x, y
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self.drop_last = drop_last

    def __len__(self) -> int:
        n = len(self.x)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.x)
        if self.shuffle:
            # Se sortea donde vive el generador (CPU salvo que se pida otro): un
            # generador CUDA pasado a un randperm de CPU falla.
            where = self.generator.device if self.generator is not None else "cpu"
            order = torch.randperm(n, generator=self.generator, device=where).to(self.x.device)
        else:
            order = None
        for i in range(len(self)):
            sl = slice(i * self.batch_size, (i + 1) * self.batch_size)
            if order is None:
                xb, yb = self.x[sl], self.y[sl]
            else:
                idx = order[sl]
                xb, yb = self.x[idx], self.y[idx]
            if self.pin_memory:
                xb, yb = xb.pin_memory(), yb.pin_memory()
            yield xb, yb


def train_val_split(
    x: torch.Tensor, y: torch.Tensor, val_fraction: float = 0.2, generator: torch.Generator | None = None
) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
    """Parte ``(x, y)`` al azar en entrenamiento y validación.

    Examples
    --------
    >>> (xt, yt), (xv, yv) = train_val_split(torch.randn(10, 2), torch.arange(10), 0.3)
    >>> len(xt), len(xv)
    (7, 3)
    """
    if len(x) != len(y):
        raise ValueError(f"x tiene {len(x)} ejemplos e y tiene {len(y)}: deben coincidir.")
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction debe estar en (0, 1); se recibió {val_fraction!r}.")
    n = len(x)
    n_val = int(round(n * val_fraction))
    if n_val == 0 or n_val == n:
        raise ValueError(f"Con {n} ejemplos y val_fraction={val_fraction} un conjunto queda vacío.")
    perm = torch.randperm(n, generator=generator)
    val_idx, train_idx = perm[:n_val], perm[n_val:]
    return (x[train_idx], y[train_idx]), (x[val_idx], y[val_idx])


def load_digits_tensors(images: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """Los 1797 dígitos manuscritos de 8×8 de scikit-learn (``sklearn.datasets.load_digits``)
    como tensores: ``x`` en float32 con los píxeles llevados de 0..16 a [0, 1] e ``y``
    (``int64``, 0..9).

    ``x`` tiene forma ``(N, 64)`` para un perceptrón multicapa, o ``(N, 1, 8, 8)``
    (un canal) con ``images=True``, para una red convolucional. El orden es el de
    scikit-learn: la partición en entrenamiento y validación la hace quien llama.

    Examples
    --------
    >>> x, y = load_digits_tensors()
    >>> tuple(x.shape), x.dtype, float(x.max()), tuple(y.shape), y.dtype
    ((1797, 64), torch.float32, 1.0, (1797,), torch.int64)
    >>> tuple(load_digits_tensors(images=True)[0].shape)
    (1797, 1, 8, 8)
    """
    from sklearn.datasets import load_digits  # solo quien pide los dígitos importa scikit-learn

    digits = load_digits()
    pixels = digits.images[:, None] if images else digits.data
    x = torch.as_tensor(pixels / 16.0, dtype=torch.float32)
    return x, torch.as_tensor(digits.target, dtype=torch.long)
