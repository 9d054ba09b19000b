import pytest
import torch
from torch import nn

from pidl.checks import gradient_check


def test_correct_gradient_of_a_network_is_tiny():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1)).double().eval()
    x, y = torch.randn(8, 3, dtype=torch.float64), torch.randn(8, 1, dtype=torch.float64)
    err = gradient_check(lambda: ((model(x) - y) ** 2).mean(), model.parameters())
    assert err < 1e-6


class WrongTanh(torch.autograd.Function):
    """tanh con una derivada equivocada a propósito (1 - tanh en vez de 1 - tanh²)."""

    @staticmethod
    def forward(ctx, a):
        out = torch.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (1 - out)


def test_planted_bug_is_detected():
    torch.manual_seed(0)
    w = torch.randn(4, dtype=torch.float64, requires_grad=True)
    x = torch.randn(4, dtype=torch.float64)
    assert gradient_check(lambda: torch.tanh(w * x).sum(), [w]) < 1e-7
    assert gradient_check(lambda: WrongTanh.apply(w * x).sum(), [w]) > 1e-2


def test_restores_parameters():
    w = torch.tensor([0.3, -1.2], dtype=torch.float64, requires_grad=True)
    before = w.detach().clone()
    gradient_check(lambda: (w**2).sum(), [w])
    assert torch.equal(w.detach(), before)


def test_zero_gradient_is_not_a_false_alarm():
    w = torch.tensor([0.0, 2.0], dtype=torch.float64, requires_grad=True)
    assert gradient_check(lambda: (w**2).sum(), [w]) < 1e-6


def test_rejects_float32_with_a_hint():
    w = torch.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="float64"):
        gradient_check(lambda: (w**2).sum(), [w])


def test_rejects_bad_input():
    w = torch.ones(2, dtype=torch.float64, requires_grad=True)
    with pytest.raises(ValueError, match="vacío"):
        gradient_check(lambda: (w**2).sum(), [])
    with pytest.raises(ValueError, match="requires_grad"):
        gradient_check(lambda: (w**2).sum(), [w.detach()])
    with pytest.raises(ValueError, match="escalar"):
        gradient_check(lambda: w**2, [w])
    with pytest.raises(ValueError, match="eps"):
        gradient_check(lambda: (w**2).sum(), [w], eps=0.0)


def test_loss_that_differentiates_inputs_works():
    """Una pérdida de PINN usa autograd dentro de fn(): debe poder hacerlo."""
    from pidl.residuals import partial

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(1, 6), nn.Tanh(), nn.Linear(6, 1)).double()
    t = torch.linspace(0, 1, 7, dtype=torch.float64).reshape(-1, 1).requires_grad_(True)

    def residual_loss():
        u = model(t)
        return (partial(u, t, 0, order=2) + 4 * u).pow(2).mean()

    assert gradient_check(residual_loss, model.parameters(), eps=1e-5) < 1e-6
