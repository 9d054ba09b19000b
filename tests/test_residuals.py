import pytest
import torch

from pidl.residuals import divergence, grad, laplacian, partial

def points(n=50, d=2, dtype=torch.float64, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(n, d, generator=g, dtype=dtype) * 2 - 1).requires_grad_(True)


def test_grad_polynomial_and_trig_exact():
    x = points()
    u = x[:, :1] ** 3 * x[:, 1:] + torch.sin(x[:, 1:]) * torch.exp(x[:, :1])
    g = grad(u, x)
    x0, x1 = x[:, 0].detach(), x[:, 1].detach()
    expected = torch.stack([3 * x0**2 * x1 + torch.sin(x1) * torch.exp(x0),
                            x0**3 + torch.cos(x1) * torch.exp(x0)], dim=1)
    assert g.shape == (50, 2)
    assert torch.allclose(g, expected, atol=1e-12, rtol=0)


def test_grad_accepts_flat_u():
    x = points(d=1)
    assert torch.allclose(grad((x**2).reshape(-1), x), 2 * x.detach(), atol=1e-12)


@pytest.mark.parametrize("order, expected", [
    (1, lambda t: 3 * torch.cos(3 * t) * torch.exp(-t) - torch.sin(3 * t) * torch.exp(-t)),
    (2, lambda t: torch.exp(-t) * (-8 * torch.sin(3 * t) - 6 * torch.cos(3 * t))),
])
def test_partial_orders_sin_exp(order, expected):
    t = points(d=1)
    u = torch.sin(3 * t) * torch.exp(-t)
    d = partial(u, t, dim=0, order=order)
    assert d.shape == u.shape
    assert torch.allclose(d, expected(t.detach()), atol=1e-10, rtol=0)


def test_partial_higher_order_of_polynomial_reaches_zero():
    x = points(d=2)
    u = x[:, :1] ** 3 + x[:, 1:] ** 2 * x[:, :1]
    assert torch.allclose(partial(u, x, 0, order=3), torch.full_like(u, 6.0), atol=1e-12)
    assert torch.allclose(partial(u, x, 1, order=2), 2 * x[:, :1].detach(), atol=1e-12)
    assert torch.count_nonzero(partial(u, x, 1, order=3)) == 0  # derivada de una constante


def test_mixed_partial_via_grad():
    x = points()
    u = torch.sin(x[:, :1]) * x[:, 1:] ** 2
    u_x = partial(u, x, 0)
    u_xy = partial(u_x, x, 1)
    assert torch.allclose(u_xy, 2 * torch.cos(x[:, :1]) * x[:, 1:], atol=1e-12)


def test_laplacian_and_dims():
    x = points(d=3)
    u = (x**2).sum(1, keepdim=True) + torch.sin(x[:, :1])
    lap = laplacian(u, x)
    assert torch.allclose(lap, 6 - torch.sin(x[:, :1]), atol=1e-12)
    lap_spatial = laplacian(u, x, dims=[1, 2])
    assert torch.allclose(lap_spatial, torch.full_like(u, 4.0), atol=1e-12)


def test_divergence():
    x = points()
    v = torch.cat([x[:, :1] ** 2 * x[:, 1:], torch.exp(x[:, 1:])], dim=1)
    div = divergence(v, x)
    assert div.shape == (50, 1)
    assert torch.allclose(div, 2 * x[:, :1] * x[:, 1:] + torch.exp(x[:, 1:]), atol=1e-12)


def test_float32_works_and_keeps_dtype():
    x = points(dtype=torch.float32)
    u = torch.tanh(x[:, :1] + 2 * x[:, 1:])
    g = grad(u, x)
    assert g.dtype == torch.float32
    s = 1 - torch.tanh(x[:, :1] + 2 * x[:, 1:]) ** 2
    assert torch.allclose(g, torch.cat([s, 2 * s], 1), atol=1e-6)


def test_results_are_differentiable_for_training():
    net = torch.nn.Sequential(torch.nn.Linear(1, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)).double()
    t = points(d=1)
    residual = partial(net(t), t, 0, order=2) + net(t)
    residual.pow(2).mean().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in net.parameters())


def test_batched_points_are_independent():
    net = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1)).double()
    x = points(n=5)
    g_batch = grad(net(x), x)
    for i in range(5):
        xi = x[i : i + 1].detach().clone().requires_grad_(True)
        assert torch.allclose(g_batch[i : i + 1], grad(net(xi), xi), atol=1e-12)


def test_input_without_requires_grad_says_how_to_fix():
    x = torch.rand(4, 1)
    with pytest.raises(ValueError, match=r"requires_grad_\(True\)"):
        grad(x**2, x)


def test_output_independent_of_input_raises():
    x = points(d=1)
    other = points(d=1, seed=1)
    with pytest.raises(ValueError, match="no depende de x"):
        grad(other**2, x)
    with pytest.raises(ValueError, match="no depende de x"):
        partial(torch.ones(50, 1), x, 0)
    with torch.no_grad():
        u = x**2
    with pytest.raises(ValueError, match="no depende de x"):
        laplacian(u, x)


@pytest.mark.parametrize("kwargs", [{"dim": 2}, {"dim": 0, "order": 0}, {"dim": 0, "order": 1.5}, {"dim": True}])
def test_partial_bad_arguments(kwargs):
    x = points()
    with pytest.raises(ValueError):
        partial(x[:, :1] ** 2, x, **kwargs)


def test_shape_errors():
    x = points()
    with pytest.raises(ValueError, match="campo escalar"):
        grad(x**2, x)                       # u con 2 columnas
    with pytest.raises(ValueError, match="deben coincidir"):
        grad(x[:10, :1] ** 2, x)            # distinto N
    with pytest.raises(ValueError, match=r"\(N, d\)"):
        t = torch.rand(5, requires_grad=True)
        grad(t**2, t)
    with pytest.raises(ValueError, match="componentes"):
        divergence(x[:, :1] * torch.ones(1, 3), x)
    with pytest.raises(ValueError, match="dims"):
        laplacian(x[:, :1] ** 2, x, dims=[5])
