"""Cada solución de referencia cumple su ecuación (residuo por diferencias
finitas en float64), sus condiciones iniciales y de borde y sus simetrías."""

import numpy as np
import pytest

from pidl.references import (
    burgers,
    burgers_spectral,
    damped_oscillator,
    heat_1d,
    poisson_1d,
    poisson_2d,
)


def d_dt(f, t, h):
    """Derivada central de orden 2 (error O(h²))."""
    return (f(t + h) - f(t - h)) / (2 * h)


def d2_dt2(f, t, h):
    return (f(t + h) - 2 * f(t) + f(t - h)) / h**2


# ----------------------------------------------------------- oscilador


@pytest.mark.parametrize("delta, omega0", [(2.0, 20.0), (20.0, 20.0), (30.0, 20.0), (0.0, 5.0)])
@pytest.mark.parametrize("x0, v0", [(1.0, 0.0), (-0.5, 3.0)])
def test_oscillator_satisfies_ode_and_initial_conditions(delta, omega0, x0, v0):
    f = lambda t: damped_oscillator(t, delta, omega0, x0, v0)
    t = np.linspace(0.01, 1.0, 200)
    h = 1e-4
    residual = d2_dt2(f, t, h) + 2 * delta * d_dt(f, t, h) + omega0**2 * f(t)
    assert np.abs(residual).max() < 1e-4 * omega0**2
    assert f(0.0) == pytest.approx(x0, abs=1e-14)
    # derivada inicial con una diferencia hacia adelante de orden 2
    hs = 1e-5
    v_start = (-3 * f(0.0) + 4 * f(hs) - f(2 * hs)) / (2 * hs)
    assert v_start == pytest.approx(v0, abs=1e-6 * (1 + omega0**2))


def test_oscillator_is_continuous_across_critical_damping():
    t = np.linspace(0, 1, 50)
    crit = damped_oscillator(t, 20.0, 20.0, 1.0, 2.0)
    for eps in (1e-6, -1e-6):
        near = damped_oscillator(t, 20.0 + eps, 20.0, 1.0, 2.0)
        assert np.abs(near - crit).max() < 1e-5


def test_oscillator_known_values_and_shape():
    t = np.array([[0.0, 0.5], [1.0, 2.0]])
    x = damped_oscillator(t)
    assert x.shape == (2, 2) and x.dtype == np.float64
    omega = np.sqrt(20.0**2 - 2.0**2)
    expected = np.exp(-1.0) * (np.cos(omega * 0.5) + 2.0 / omega * np.sin(omega * 0.5))
    assert x[0, 1] == pytest.approx(expected, rel=1e-14)
    # el sobreamortiguado no desborda para t grande y tiende a cero sin oscilar
    slow = damped_oscillator(np.linspace(0, 50, 1000), delta=30.0, omega0=20.0)
    assert np.isfinite(slow).all() and (slow > 0).all() and np.all(np.diff(slow) < 0)


@pytest.mark.parametrize(
    "kwargs, match",
    [({"omega0": 0.0}, "omega0"), ({"delta": -1.0}, "delta"), ({"omega0": np.nan}, "omega0")],
)
def test_oscillator_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        damped_oscillator(np.zeros(3), **kwargs)


def test_bad_arrays_are_rejected():
    with pytest.raises(ValueError, match="NaN"):
        damped_oscillator([0.0, np.nan])
    with pytest.raises(TypeError, match="numérico"):
        heat_1d("a", 0.0)


# ----------------------------------------------------------- calor y Poisson


@pytest.mark.parametrize("alpha, k", [(0.1, 1), (0.05, 3)])
def test_heat_satisfies_pde_and_conditions(alpha, k):
    x = np.linspace(0.05, 0.95, 30)[:, None]
    t = np.linspace(0.05, 1.0, 20)[None, :]
    h = 1e-4
    u_t = d_dt(lambda s: heat_1d(x, s, alpha, k), t, h)
    u_xx = d2_dt2(lambda s: heat_1d(s, t, alpha, k), x, h)
    assert np.abs(u_t - alpha * u_xx).max() < 1e-5
    grid = np.linspace(0, 1, 101)
    np.testing.assert_allclose(heat_1d(grid, 0.0, alpha, k), np.sin(k * np.pi * grid), atol=1e-15)
    np.testing.assert_allclose(heat_1d(np.array([0.0, 1.0])[:, None], t, alpha, k), 0.0, atol=1e-14)
    # simetría: para k impar u es simétrica respecto de x = 1/2
    if k % 2:
        np.testing.assert_allclose(heat_1d(x, t, alpha, k), heat_1d(1 - x, t, alpha, k), atol=1e-14)


def test_poisson_1d_and_2d():
    x = np.linspace(0.01, 0.99, 50)
    for k in (1, 2, 4):
        u, f = poisson_1d(x, k)
        minus_u_xx = -d2_dt2(lambda s, k=k: poisson_1d(s, k)[0], x, 1e-4)
        assert np.abs(minus_u_xx - f).max() < 1e-5 * k**4
        assert np.abs(poisson_1d(np.array([0.0, 1.0]), k)[0]).max() < 1e-14
    X, Y = np.meshgrid(np.linspace(0.02, 0.98, 25), np.linspace(0.02, 0.98, 25))
    u, f = poisson_2d(X, Y, k=2)
    h = 1e-4
    lap = (d2_dt2(lambda s: poisson_2d(s, Y, 2)[0], X, h) + d2_dt2(lambda s: poisson_2d(X, s, 2)[0], Y, h))
    assert np.abs(-lap - f).max() < 1e-4
    edge = np.linspace(0, 1, 11)
    for bx, by in ((edge, 0.0 * edge), (edge, 0 * edge + 1), (0 * edge, edge), (0 * edge + 1, edge)):
        assert np.abs(poisson_2d(bx, by, 2)[0]).max() < 1e-14
    np.testing.assert_allclose(u, poisson_2d(Y, X, 2)[0], atol=1e-15)  # simetría x ↔ y
    with pytest.raises(ValueError, match="k debe"):
        poisson_2d(X, Y, k=0)


# ----------------------------------------------------------- Burgers


NU = 0.01 / np.pi


def test_burgers_initial_and_boundary_conditions():
    x = np.linspace(-1, 1, 101)
    np.testing.assert_array_equal(burgers(x, 0.0), -np.sin(np.pi * x))  # exacta en t = 0
    t = np.linspace(0.0, 1.0, 41)
    assert np.abs(burgers(-1.0, t)).max() < 1e-12
    assert np.abs(burgers(1.0, t)).max() < 1e-12
    assert np.abs(burgers(0.0, t)).max() < 1e-12  # el choque está fijo en x = 0
    # continuidad en t → 0⁺
    np.testing.assert_allclose(burgers(x, 1e-8), -np.sin(np.pi * x), atol=1e-6)


def test_burgers_is_odd_in_x():
    x = np.linspace(0, 1, 51)[:, None]
    t = np.linspace(0, 1, 21)[None, :]
    np.testing.assert_allclose(burgers(-x, t), -burgers(x, t), atol=1e-13)


def test_burgers_satisfies_pde():
    x = np.linspace(-0.95, 0.95, 39)[:, None]
    t = np.linspace(0.05, 0.95, 10)[None, :]
    h, k = 1e-4, 1e-5
    u = burgers(x, t)
    u_t = d_dt(lambda s: burgers(x, s), t, k)
    u_x = d_dt(lambda s: burgers(s, t), x, h)
    u_xx = d2_dt2(lambda s: burgers(s, t), x, h)
    residual = u_t + u * u_x - NU * u_xx
    # el error de truncamiento de las diferencias finitas domina junto al choque
    assert np.abs(residual).max() < 2e-5
    assert np.abs(residual[np.abs(x[:, 0]) >= 0.2]).max() < 1e-6


def test_burgers_quadrature_converges_and_few_nodes_fail():
    x = np.linspace(-1, 1, 201)[:, None]
    t = np.linspace(0.0, 1.0, 51)[None, :]
    fine = burgers(x, t, n_nodes=1000)
    assert np.abs(burgers(x, t) - fine).max() < 1e-12
    assert np.abs(burgers(x, t, n_nodes=10) - fine).max() > 0.1  # pocos nodos: muy mal


def test_burgers_steepest_slope_matches_basdevant():
    # Basdevant et al. (1986): max |u_x| = 152.00516, en x = 0 y t = 1.6037/π.
    h = 1e-6
    t_star = 1.6037 / np.pi
    slope = (burgers(h, t_star) - burgers(-h, t_star)) / (2 * h)
    assert float(slope) == pytest.approx(-152.00516, rel=1e-6)
    # y es la más empinada: antes y después la pendiente es menor
    for t in (1.0 / np.pi, 1.5 / np.pi, 1.7 / np.pi):
        other = (burgers(h, t) - burgers(-h, t)) / (2 * h)
        assert other > slope


def test_burgers_broadcasting_and_bad_input():
    u = burgers(np.linspace(-1, 1, 7)[:, None], np.linspace(0, 1, 3)[None, :])
    assert u.shape == (7, 3)
    assert np.asarray(burgers(0.5, 0.2)).shape == ()
    with pytest.raises(ValueError, match="t debe ser ≥ 0"):
        burgers(0.0, -0.1)
    with pytest.raises(ValueError, match="nu"):
        burgers(0.0, 0.1, nu=0.0)
    with pytest.raises(ValueError, match="n_nodes"):
        burgers(0.0, 0.1, n_nodes=1)


def test_damped_oscillator_takes_tensors_and_agrees_with_numpy():
    import torch

    t = np.linspace(0.0, 1.0, 7)
    for delta, omega0 in ((2.0, 20.0), (20.0, 20.0), (30.0, 20.0)):
        ref = damped_oscillator(t, delta, omega0)
        tt = torch.tensor(t, dtype=torch.float64, requires_grad=True)
        out = damped_oscillator(tt, delta, omega0)
        assert isinstance(out, torch.Tensor) and out.dtype == torch.float64
        np.testing.assert_allclose(out.detach().numpy(), ref, rtol=1e-12, atol=1e-14)
        (d,) = torch.autograd.grad(out.sum(), tt)     # derivable: u'(0) = v0 = 0
        assert abs(float(d[0])) < 1e-9
    assert damped_oscillator(torch.zeros(3, 1, dtype=torch.float32)).dtype == torch.float32


# ----------------------------------------------------- Burgers espectral


def _periodic_grid(n):
    return -1 + 2 * np.arange(n) / n


@pytest.mark.parametrize("nu, n", [(0.05, 128), (0.02, 256)])
def test_burgers_spectral_matches_cole_hopf(nu, n):
    """Con u0 = −sin(πx) el problema periódico es el de Cole–Hopf."""
    x = _periodic_grid(n)
    t = np.linspace(0.0, 0.5, 6)
    k, coeffs = burgers_spectral(-np.sin(np.pi * x), t, nu=nu, steps_per_save=40)
    assert k.shape == (n // 3,) and coeffs.shape == (6, n // 3)
    u = np.fft.irfft(coeffs, n)
    exact = burgers(x[None, :], t[:, None], nu=nu)
    assert np.abs(u - exact).max() < 1e-7


def test_burgers_spectral_converges_in_time():
    x = _periodic_grid(128)
    t = np.linspace(0.0, 0.5, 3)
    exact = burgers(x, 0.5, nu=0.05)
    errors = [np.abs(np.fft.irfft(burgers_spectral(-np.sin(np.pi * x), t, 0.05, s)[1][-1], 128)
                     - exact).max() for s in (2, 4, 8)]
    assert errors[0] > errors[1] > errors[2]


def test_burgers_spectral_batch_equals_one_by_one():
    rng = np.random.default_rng(0)
    x = _periodic_grid(64)
    u0 = np.stack([np.sin(np.pi * (x - rng.uniform())) * rng.uniform(0.5, 1.5)
                   for _ in range(3)])
    t = np.linspace(0.0, 0.3, 4)
    _, batch = burgers_spectral(u0, t, nu=0.05, steps_per_save=10)
    assert batch.shape == (3, 4, 21)
    for i in range(3):
        np.testing.assert_allclose(batch[i], burgers_spectral(u0[i], t, 0.05, 10)[1],
                                   atol=1e-13)


def test_burgers_spectral_conserves_mean_and_resamples():
    x = _periodic_grid(96)
    u0 = 0.3 + np.cos(np.pi * x)
    t = np.linspace(0.0, 0.4, 5)
    _, coeffs = burgers_spectral(u0, t, nu=0.05, steps_per_save=10)
    u = np.fft.irfft(coeffs, 96)
    np.testing.assert_allclose(u.mean(axis=-1), 0.3, atol=1e-12)  # ∫u dx se conserva
    fine = np.fft.irfft(coeffs, 192) * 192 / 96  # la misma serie en una malla doble
    np.testing.assert_allclose(fine[:, ::2], u, atol=1e-12)


def test_burgers_spectral_rejects_bad_input():
    x = _periodic_grid(32)
    with pytest.raises(ValueError, match="forma"):
        burgers_spectral(np.zeros((2, 2, 32)), [0.0, 0.1], 0.05)
    with pytest.raises(ValueError, match="empezar en 0"):
        burgers_spectral(np.sin(np.pi * x), [0.1, 0.2], 0.05)
    with pytest.raises(ValueError, match="positivo"):
        burgers_spectral(np.sin(np.pi * x), [0.0, 0.1], -1.0)
    with pytest.raises(ValueError, match="steps_per_save"):
        burgers_spectral(10 * np.sin(np.pi * x), [0.0, 5.0], 1e-4)
