"""Mide el costo de ``pidl.fit`` frente a un bucle escrito a mano.

Mismo modelo, mismos datos, misma semilla y mismos lotes; se alternan las dos
variantes en cada repetición (para que el ruido de la máquina les toque a las
dos por igual) y se informa la mediana de los tiempos y su cociente.

    python tools/bench_fit.py            # objetivo: cociente ≤ 1.05 en CPU
    python tools/bench_fit.py --repeats 15 --device cuda
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn

from pidl import TensorLoader, fit, get_device


def make_problem(device: torch.device, n: int, width: int):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 16, generator=g)
    y = torch.sin(x[:, :1]) + 0.1 * x[:, 1:2] ** 2
    return x, y


def make_model(width: int) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(16, width), nn.Tanh(), nn.Linear(width, width), nn.Tanh(), nn.Linear(width, 1))


def hand_loop(model, loader, loss_fn, optimizer, epochs, device):
    """El bucle del capítulo 2: lo mínimo que registra la pérdida media por época."""
    model.to(device)
    losses = []
    for _ in range(epochs):
        model.train()
        total, count = 0.0, 0
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
            count += len(yb)
        losses.append(total / count)
    return losses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--n", type=int, default=8192)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--device", default=None)
    args = parser.parse_args()
    device = get_device(args.device)
    x, y = make_problem(device, args.n, args.width)
    loader = TensorLoader(x, y, batch_size=args.batch_size, device=device)
    loss_fn = nn.MSELoss()

    def run(variant: str) -> tuple[float, list[float]]:
        model = make_model(args.width).to(device)
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        if variant == "fit":
            losses = fit(model, loader, loss_fn, opt, epochs=args.epochs, device=device, progress=False).train_loss
        else:
            losses = hand_loop(model, loader, loss_fn, opt, args.epochs, device)
        if device.type == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - start, losses

    run("fit"), run("hand")  # calentamiento
    times = {"fit": [], "hand": []}
    for r in range(args.repeats):
        order = ("fit", "hand") if r % 2 == 0 else ("hand", "fit")
        for variant in order:
            seconds, losses = run(variant)
            times[variant].append(seconds)
            if variant == "fit":
                fit_losses = losses
            else:
                hand_losses = losses
    same = max(abs(a - b) / abs(b) for a, b in zip(fit_losses, hand_losses))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"dispositivo: {device} · {torch.get_num_threads()} hilos · {args.n} ejemplos, lotes de {args.batch_size}, "
          f"{args.epochs} épocas, {args.repeats} repeticiones")
    print(f"bucle a mano : mediana {med['hand']:.3f} s")
    print(f"pidl.fit     : mediana {med['fit']:.3f} s")
    print(f"diferencia relativa máx. entre las curvas de pérdida: {same:.1e}")
    print(f"cociente fit / a mano = {med['fit'] / med['hand']:.3f}")


if __name__ == "__main__":
    main()
