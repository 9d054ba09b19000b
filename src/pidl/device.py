"""Elección del dispositivo y semillas.

Todos los capítulos empiezan igual::

    device = get_device()
    seed_everything(0)
    print(describe_device())
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch

__all__ = [
    "available_devices", "get_device", "float64_device", "seed_everything", "seed_offset", "offset_seed",
    "torch_generator", "numpy_rng", "synchronize", "describe_device",
]

_KNOWN = ("cuda", "mps", "cpu")


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def available_devices() -> list[str]:
    """Lista los tipos de dispositivo utilizables en esta máquina, en orden de preferencia.

    Examples
    --------
    >>> "cpu" in available_devices()
    True
    """
    found = []
    if torch.cuda.is_available():
        found.append("cuda")
    if _mps_available():
        found.append("mps")
    found.append("cpu")
    return found


def get_device(preferred: str | None = None) -> torch.device:
    """Devuelve el mejor dispositivo disponible: CUDA → MPS → CPU.

    El orden se puede forzar con el argumento ``preferred`` o con la variable de
    entorno ``PIDL_DEVICE`` (``cpu``, ``cuda``, ``cuda:1``, ``mps``); el argumento
    tiene prioridad sobre la variable.

    Raises
    ------
    ValueError
        Si el dispositivo pedido no existe o no está disponible; el mensaje
        lista los disponibles.

    Examples
    --------
    >>> get_device("cpu")
    device(type='cpu')
    """
    choice = preferred if preferred is not None else os.environ.get("PIDL_DEVICE")
    available = available_devices()
    if choice is None or choice.strip() == "":
        return torch.device(available[0])
    choice = choice.strip().lower()
    kind, sep, index = choice.partition(":")
    if kind not in _KNOWN or (sep and not index.isdigit()):
        raise ValueError(
            f"Dispositivo desconocido {choice!r} (¿PIDL_DEVICE?). "
            f"Opciones válidas: {', '.join(_KNOWN)}; disponibles aquí: {', '.join(available)}."
        )
    if kind not in available:
        raise ValueError(
            f"Se pidió el dispositivo {choice!r} pero no está disponible en esta máquina. "
            f"Disponibles: {', '.join(available)}."
        )
    if kind == "cuda" and index and int(index) >= torch.cuda.device_count():
        raise ValueError(
            f"Se pidió {choice!r} pero solo hay {torch.cuda.device_count()} GPU CUDA."
        )
    return torch.device(choice)


SEED_OFFSET_VAR = "PIDL_SEED_OFFSET"


def seed_offset() -> int:
    """Desplazamiento de semillas leído de la variable de entorno ``PIDL_SEED_OFFSET`` (0 si no está).

    Raises
    ------
    ValueError
        Si la variable no es un entero no negativo.

    Examples
    --------
    >>> seed_offset() >= 0  # 0 salvo que se haya definido PIDL_SEED_OFFSET
    True
    """
    raw = os.environ.get(SEED_OFFSET_VAR, "").strip()
    if raw == "":
        return 0
    try:
        offset = int(raw)
    except ValueError:
        raise ValueError(
            f"{SEED_OFFSET_VAR}={raw!r} no es un entero; use por ejemplo {SEED_OFFSET_VAR}=1."
        ) from None
    if offset < 0:
        raise ValueError(f"{SEED_OFFSET_VAR} debe ser un entero no negativo, se recibió {offset}.")
    return offset


def offset_seed(seed: int) -> int:
    """La semilla que de verdad se usa: ``(seed + PIDL_SEED_OFFSET) mod 2**32``.

    Todas las fuentes de azar de ``pidl`` (:func:`seed_everything`,
    :func:`torch_generator`, :func:`numpy_rng`, :func:`~pidl.pinn.sampling.sample_sobol`)
    pasan por aquí, de modo que ``PIDL_SEED_OFFSET`` mueve cada experimento del
    libro.

    Raises
    ------
    TypeError
        Si ``seed`` no es un entero.
    ValueError
        Si ``seed`` no está en ``[0, 2**32)``.

    Examples
    --------
    >>> offset_seed(5) == 5 + seed_offset()
    True
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed debe ser un entero, no {type(seed).__name__}.")
    seed = int(seed)
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed debe estar en [0, 2**32), se recibió {seed}.")
    return (seed + seed_offset()) % 2**32


def seed_everything(seed: int) -> torch.Generator:
    """Fija las semillas de Python, NumPy y PyTorch (CPU y CUDA).

    La semilla usada es ``seed + PIDL_SEED_OFFSET`` (ver :func:`offset_seed`):
    la variable de entorno ``PIDL_SEED_OFFSET`` (un entero no negativo, 0 si no
    está definida) permite volver a ejecutar un capítulo entero con otras
    semillas sin tocar su código, para comprobar que sus resultados no dependen
    de la suerte (``tools/seed_robustness.py``). El libro se construye siempre
    con 0.

    Devuelve un ``torch.Generator`` de CPU sembrado igual, pensado para pasarlo
    a un ``DataLoader`` (``generator=...``) y que el orden de los lotes sea
    reproducible.

    Examples
    --------
    >>> g = seed_everything(0)
    >>> a = torch.rand(2); _ = seed_everything(0); b = torch.rand(2)
    >>> bool(torch.equal(a, b))
    True
    """
    seed = offset_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # también siembra todas las GPU CUDA
    generator = torch.Generator()
    generator.manual_seed(seed)
    return generator


def torch_generator(seed: int, device: torch.device | str = "cpu") -> torch.Generator:
    """Un ``torch.Generator`` propio sembrado con ``offset_seed(seed)``, en la CPU salvo que se pida otro.

    Sirve para un flujo de azar independiente del global (el orden de los
    lotes, una partición de datos) que no cambia si se agregan celdas antes.
    Debe estar en el dispositivo donde se sortea: ``torch.randperm(n,
    generator=g)`` sortea en la CPU, así que ``g`` también; un generador CUDA
    allí falla en cuanto hay una GPU.

    Examples
    --------
    >>> a = torch.rand(3, generator=torch_generator(1))
    >>> bool(torch.equal(a, torch.rand(3, generator=torch_generator(1))))
    True
    >>> torch_generator(1).device
    device(type='cpu')
    """
    generator = torch.Generator(device=torch.device(device))
    generator.manual_seed(offset_seed(seed))
    return generator


def numpy_rng(seed: int) -> np.random.Generator:
    """Un ``numpy.random.Generator`` sembrado con ``offset_seed(seed)``.

    Examples
    --------
    >>> float(numpy_rng(2).normal()) == float(numpy_rng(2).normal())
    True
    """
    return np.random.default_rng(offset_seed(seed))


def synchronize(device: torch.device | str | None = None) -> None:
    """Espera a que la GPU termine lo encolado (CUDA o MPS); en la CPU no hace nada.

    Las operaciones en CUDA son asíncronas: leer un reloj sin sincronizar mide
    cuánto tardó la CPU en *encolar* el trabajo, no en hacerlo.

    Examples
    --------
    >>> synchronize("cpu")  # no hace nada
    """
    device = torch.device(device) if device is not None else get_device()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def describe_device(device: torch.device | str | None = None) -> str:
    """Una línea que describe el dispositivo en uso, para la cabecera de cada capítulo.

    Examples
    --------
    >>> describe_device("cpu").startswith("Dispositivo: cpu")
    True
    """
    device = torch.device(device) if device is not None else get_device()
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
        detail = f"GPU {name}"
    elif device.type == "mps":
        detail = "GPU de Apple (MPS)"
    else:
        detail = f"{torch.get_num_threads()} hilos de CPU"
    return f"Dispositivo: {device} ({detail}) · PyTorch {torch.__version__}"


def float64_device(device: torch.device | str | None = None) -> torch.device:
    """El dispositivo donde correr en ``float64``: el mismo, salvo MPS (que no
    admite ``float64``), donde es la CPU.

    Los capítulos de PINNs entrenan en doble precisión; en una Mac con MPS esa
    parte corre en la CPU en lugar de fallar.

    Examples
    --------
    >>> float64_device("cpu"), float64_device("mps")
    (device(type='cpu'), device(type='cpu'))
    """
    device = torch.device(device) if device is not None else get_device()
    return torch.device("cpu") if device.type == "mps" else device
