import pytest
import torch

from pidl.residuals import Derivatives, divergence, grad, laplacian, partial


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


# ------------------------------------------------------------ Derivatives (caché)


def _burgers_like(dtype=torch.float64):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1)).to(dtype)
    xt = torch.rand(64, 2, dtype=dtype, requires_grad=True)
    return net, xt


def _count_grads(monkeypatch):
    calls = {"n": 0}
    original = torch.autograd.grad

    def counting(*args, **kwargs):
        calls["n"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(torch.autograd, "grad", counting)
    return calls


def test_derivatives_match_partial_with_half_the_autograd_calls(monkeypatch):
    net, xt = _burgers_like()
    calls = _count_grads(monkeypatch)
    u = net(xt)
    ref = [partial(u, xt, 1), partial(u, xt, 0), partial(u, xt, 0, order=2)]  # u_t, u_x, u_xx
    with_partial = calls["n"]
    calls["n"] = 0
    D = Derivatives(u, xt)
    got = [D(1), D(0), D(0, 0)]
    assert with_partial == 4 and calls["n"] == D.calls == 2
    for a, b in zip(got, ref):
        assert a.shape == u.shape
        torch.testing.assert_close(a, b)
    # Mixtas simétricas y caché: pedir otra vez no llama a autograd.
    torch.testing.assert_close(D(0, 1), D(1, 0))
    assert D(0, 1) is not None and D.calls == 2
    torch.testing.assert_close(D(1, 0), partial(partial(u, xt, 0), xt, 1))


def test_derivatives_keep_the_graph_for_training():
    net, xt = _burgers_like()
    D = Derivatives(net(xt), xt)
    loss = (D(1) + D(0, 0)).pow(2).mean()
    assert loss.requires_grad
    loss.backward()
    # Las derivadas no dependen del sesgo de la última capa; de los pesos, sí.
    assert net[0].weight.grad.abs().sum() > 0 and net[2].weight.grad.abs().sum() > 0


def test_derivatives_without_graph_for_diagnostics():
    net, xt = _burgers_like()
    D = Derivatives(net(xt), xt, max_order=2, create_graph=False)
    assert D(0).requires_grad            # de orden menor: de ella sale la segunda
    assert not D(0, 0).requires_grad     # de orden max_order: sin grafo
    D1 = Derivatives(net(xt), xt, max_order=1, create_graph=False)
    assert not D1(0).requires_grad and not D1(1).requires_grad


def test_partial_result_keeps_the_graph():
    """Un partial que devolviera un resultado separado del grafo no entrenaría nada."""
    net, xt = _burgers_like()
    u_xx = partial(net(xt), xt, 0, order=2)
    assert u_xx.requires_grad and u_xx.grad_fn is not None
    u_xx.pow(2).mean().backward()
    assert net[0].weight.grad.abs().sum() > 0


def test_derivatives_bad_input():
    net, xt = _burgers_like()
    D = Derivatives(net(xt), xt, max_order=2)
    with pytest.raises(ValueError, match="al menos una"):
        D()
    with pytest.raises(ValueError, match="fuera de rango"):
        D(2)
    with pytest.raises(ValueError, match="max_order=2"):
        D(0, 0, 0)
    with pytest.raises(ValueError, match="max_order"):
        Derivatives(net(xt), xt, max_order=0)
    with pytest.raises(ValueError, match="no depende de x"):
        Derivatives(net(xt.detach().clone()), xt)
    with pytest.raises(ValueError, match="requires_grad"):
        x = torch.rand(4, 2, dtype=torch.float64)
        Derivatives(net(x), x)


def test_oscillator_residual_vanishes_on_the_exact_solution_and_matches_by_hand():
    from pidl.references import damped_oscillator
    from pidl.residuals import oscillator_residual

    delta, omega0 = 2.0, 20.0
    t = torch.linspace(0, 1, 21, dtype=torch.float64).reshape(-1, 1)
    exact = oscillator_residual(lambda s: damped_oscillator(s, delta, omega0), t, delta, omega0)
    assert exact.shape == (21, 1) and float(exact.detach().abs().max()) < 1e-10
    # u = t²: u'' = 2, u' = 2t → r = (2 + 4δt + ω0² t²) / ω0²
    r = oscillator_residual(lambda s: s**2, t, delta, omega0)
    assert torch.allclose(r, (2 + 4 * delta * t + omega0**2 * t**2) / omega0**2)
    assert not t.requires_grad                       # no toca el tensor de entrada
    net = torch.nn.Sequential(torch.nn.Linear(1, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1)).double()
    oscillator_residual(net, t, delta, omega0).pow(2).mean().backward()
    assert float(net[0].weight.grad.abs().sum()) > 0  # derivable respecto de los pesos


def test_oscillator_residual_of_a_linear_u_has_zero_second_derivative():
    # u lineal en t: u' es constante (no depende de t) y u'' = 0; antes, la segunda
    # derivada lanzaba «u no depende de x», un mensaje falso para este caso.
    from pidl.residuals import oscillator_residual

    delta, omega0 = 2.0, 20.0
    t = torch.linspace(0, 1, 11, dtype=torch.float64).reshape(-1, 1)
    r = oscillator_residual(lambda s: 3 * s + 1, t, delta, omega0)   # u' = 3, u'' = 0
    assert torch.allclose(r, (2 * delta * 3 + omega0**2 * (3 * t + 1)) / omega0**2)
    lin = torch.nn.Linear(1, 1).double()                             # también con pesos
    r = oscillator_residual(lin, t, delta, omega0)
    w, b = lin.weight.item(), lin.bias.item()
    assert torch.allclose(r.detach(), (2 * delta * w + omega0**2 * (w * t + b)) / omega0**2)
    r.pow(2).mean().backward()
    assert lin.weight.grad is not None
    with pytest.raises(ValueError, match="no depende"):               # u constante: sí es error
        oscillator_residual(lambda s: torch.ones_like(s), t, delta, omega0)
