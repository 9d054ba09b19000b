"""Cuánto ahorra ``pidl.residuals.Derivatives`` frente a ``partial`` en un paso de
entrenamiento con el residuo de Burgers (u_t + u u_x − ν u_xx).

Uso: ``OMP_NUM_THREADS=1 python tools/bench_residuals.py [--points 4096] [--reps 15]``.
Alterna las dos variantes en la misma corrida e imprime medianas y su cociente
(en una máquina compartida, el cociente es lo que vale).
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import torch

from pidl.residuals import Derivatives, partial


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=4096)
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--width", type=int, default=32)
    args = parser.parse_args()

    torch.manual_seed(0)
    layers = [torch.nn.Linear(2, args.width), torch.nn.Tanh()]
    for _ in range(3):
        layers += [torch.nn.Linear(args.width, args.width), torch.nn.Tanh()]
    net = torch.nn.Sequential(*layers, torch.nn.Linear(args.width, 1))
    xt = torch.rand(args.points, 2, requires_grad=True)
    nu = 0.01 / math.pi

    def with_partial() -> torch.Tensor:
        u = net(xt)
        return partial(u, xt, 1) + u * partial(u, xt, 0) - nu * partial(u, xt, 0, order=2)

    def with_cache() -> torch.Tensor:
        u = net(xt)
        D = Derivatives(u, xt)
        return D(1) + u * D(0) - nu * D(0, 0)

    torch.testing.assert_close(with_partial(), with_cache())
    times: dict[str, list[float]] = {"partial": [], "Derivatives": []}
    for _ in range(args.reps):
        for name, residual in (("partial", with_partial), ("Derivatives", with_cache)):
            start = time.perf_counter()
            for _ in range(5):
                net.zero_grad()
                residual().pow(2).mean().backward()
            times[name].append((time.perf_counter() - start) / 5)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"{'variante':<12} {'ms/paso':>8}")
    for name, value in med.items():
        print(f"{name:<12} {value * 1e3:8.1f}")
    print(f"cociente Derivatives/partial: {med['Derivatives'] / med['partial']:.2f}")


if __name__ == "__main__":
    main()
