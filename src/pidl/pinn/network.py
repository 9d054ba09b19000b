"""La red de las PINNs: un MLP con entrada normalizada, rasgos de Fourier
opcionales y una transformación de salida para imponer condiciones exactas."""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Callable

import torch
from torch import nn

from .._validate import Bounds, check_bounds, check_int, check_positive

__all__ = ["PINN", "Sine"]


class Sine(nn.Module):
    """Activación ``sin(x)`` (útil para soluciones oscilatorias).

    Examples
    --------
    >>> Sine()(torch.zeros(2))
    tensor([0., 0.])
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sin(x)


_ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "tanh": nn.Tanh,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "softplus": nn.Softplus,
    "relu": nn.ReLU,
    "sin": Sine,
}


class PINN(nn.Module):
    """Perceptrón multicapa para PINNs: normaliza la entrada, agrega (si se
    pide) rasgos de Fourier y aplica una transformación de salida que impone
    restricciones exactas.

    La cadena es ``x → z = 2 (x - lower) / (upper - lower) - 1 → [cos 2πzB, sin 2πzB]
    → MLP → raw → output_transform(x, raw)``.

    Parameters
    ----------
    in_dim, out_dim
        Dimensión de la entrada ``x: (N, in_dim)`` y de la salida ``(N, out_dim)``.
    width, depth
        Neuronas por capa oculta y número de capas ocultas.
    activation
        ``"tanh"`` (por defecto), ``"sin"``, ``"gelu"``, ``"silu"``, ``"softplus"``,
        ``"relu"`` (no sirve para derivadas segundas) o un ``nn.Module``.
    lower, upper
        Cotas del dominio (largo ``in_dim``): la entrada se lleva a ``[-1, 1]``.
        Si se omiten, no se normaliza.
    fourier_features, fourier_scale
        Si ``m = fourier_features > 0``, se usa ``[cos(2π zB), sin(2π zB)]`` con
        ``B ~ N(0, fourier_scale²)`` de forma ``(in_dim, m)``, fija (un *buffer*).
    output_transform
        ``output_transform(x, raw) -> u``, con ``x`` la entrada *original*;
        por ejemplo ``lambda t, n: 1 + t * n`` impone ``u(0) = 1`` exactamente.
    generator
        ``torch.Generator`` para la inicialización (Xavier normal, sesgos nulos)
        y para ``B``; si es ``None`` se usa el generador global.

    Examples
    --------
    >>> model = PINN(2, width=16, depth=2, lower=[0, -1], upper=[1, 1])
    >>> model(torch.rand(5, 2)).shape
    torch.Size([5, 1])
    >>> hard = PINN(1, output_transform=lambda t, n: 1 + t * n)
    >>> hard(torch.zeros(3, 1)).flatten()        # u(0) = 1 para cualquier peso
    tensor([1., 1., 1.], grad_fn=<ViewBackward0>)
    """

    def __init__(
        self,
        in_dim: int,
        out_dim: int = 1,
        width: int = 32,
        depth: int = 4,
        activation: str | nn.Module = "tanh",
        lower: Bounds | None = None,
        upper: Bounds | None = None,
        fourier_features: int = 0,
        fourier_scale: float = 1.0,
        output_transform: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        for name, value in (("in_dim", in_dim), ("out_dim", out_dim), ("width", width), ("depth", depth)):
            check_int(value, name)
        check_int(fourier_features, "fourier_features", minimum=0)
        check_positive(fourier_scale, "fourier_scale")
        if output_transform is not None and not callable(output_transform):
            raise TypeError("output_transform debe ser una función (x, raw) -> u.")
        if (lower is None) != (upper is None):
            raise ValueError("Pase lower y upper juntos (o ninguno de los dos).")
        self.in_dim, self.out_dim = in_dim, out_dim
        self.output_transform = output_transform

        if lower is None:
            lo, hi = -torch.ones(in_dim, dtype=torch.float64), torch.ones(in_dim, dtype=torch.float64)
        else:
            lo, hi = check_bounds(lower, upper, in_dim)
        dtype = torch.get_default_dtype()
        # z = (x - center) / half_width lleva [lower, upper] a [-1, 1].
        self.register_buffer("center", ((hi + lo) / 2).to(dtype))
        self.register_buffer("half_width", ((hi - lo) / 2).to(dtype))

        features = in_dim
        if fourier_features > 0:
            B = torch.randn(in_dim, fourier_features, generator=generator, dtype=dtype) * fourier_scale
            self.register_buffer("fourier_B", B)
            features = 2 * fourier_features
        else:
            self.fourier_B = None

        if isinstance(activation, str):
            if activation not in _ACTIVATIONS:
                raise ValueError(f"activation={activation!r} desconocida; use una de {sorted(_ACTIVATIONS)} o un nn.Module.")
            make_act = _ACTIVATIONS[activation]
        elif isinstance(activation, nn.Module):
            # Una copia por capa: un módulo con parámetros (PReLU) no debe compartirse.
            make_act = functools.partial(copy.deepcopy, activation)
        else:
            raise TypeError(f"activation debe ser un str o un nn.Module, no {type(activation).__name__}.")
        layers: list[nn.Module] = []
        sizes = [features] + [width] * depth
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), make_act()]
        layers.append(nn.Linear(width, out_dim))
        self.net = nn.Sequential(*layers)
        # La ganancia de Xavier depende de la activación y no de cómo se escribió:
        # "tanh" y nn.Tanh() inicializan igual (5/3); las demás usan 1.
        is_tanh = activation == "tanh" or isinstance(activation, nn.Tanh)
        gain = nn.init.calculate_gain("tanh") if is_tanh else 1.0
        for layer in self.net:
            if isinstance(layer, nn.Linear):
                std = gain * math.sqrt(2.0 / (layer.in_features + layer.out_features))
                with torch.no_grad():
                    layer.weight.normal_(0.0, std, generator=generator)
                    layer.bias.zero_()

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Entrada normalizada (y con rasgos de Fourier): ``(N, in_dim) → (N, in_dim o 2m)``."""
        z = (x - self.center) / self.half_width
        if self.fourier_B is None:
            return z
        proj = 2 * math.pi * z @ self.fourier_B
        return torch.cat([torch.cos(proj), torch.sin(proj)], dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"x debe ser un torch.Tensor, no {type(x).__name__}.")
        if x.dim() != 2 or x.shape[1] != self.in_dim:
            raise ValueError(f"x debe tener forma (N, {self.in_dim}); se recibió {tuple(x.shape)}.")
        weight = self.net[0].weight
        if x.dtype != weight.dtype or x.device != weight.device:
            raise TypeError(
                f"x es {x.dtype} en {x.device} y la red es {weight.dtype} en {weight.device}: "
                "use model.to(device, dtype) o x.to(...) para que coincidan."
            )
        raw = self.net(self.embed(x))
        if self.output_transform is None:
            return raw
        u = self.output_transform(x, raw)
        if not isinstance(u, torch.Tensor) or u.shape != raw.shape:
            got = tuple(u.shape) if isinstance(u, torch.Tensor) else type(u).__name__
            raise ValueError(f"output_transform debe devolver forma {tuple(raw.shape)}; devolvió {got}.")
        return u
