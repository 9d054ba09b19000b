import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from pidl.plotting import plot_decision_boundary, plot_field, set_style


def test_set_style_is_idempotent():
    set_style()
    first = dict(matplotlib.rcParams)
    set_style()
    assert dict(matplotlib.rcParams) == first
    assert matplotlib.rcParams["figure.dpi"] == 110


def test_decision_boundary_draws_regions_and_points():
    x = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    y = np.array([0, 1, 1, 0])
    ax = plot_decision_boundary(lambda p: (p[:, 1] > 0.5).astype(float), x, y, title="t")
    assert ax.get_title() == "t" and ax.get_xlabel() == "$x_1$"
    assert len(ax.collections) >= 2
    plt.close("all")


def test_decision_boundary_bad_shapes():
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plot_decision_boundary(lambda p: p[:, 0], np.zeros((3, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="puntos"):
        plot_decision_boundary(lambda p: p[:, 0], np.zeros((3, 2)), np.zeros(4))


def test_plot_field_draws_with_colorbar_and_checks_shapes():
    X, Y = np.meshgrid(np.linspace(0, 1, 4), np.linspace(0, 2, 3))
    fig, ax = plt.subplots()
    image = plot_field(ax, X, Y, (X + Y).ravel(), title="campo", label="$u$")
    assert ax.get_title() == "campo" and ax.get_xlabel() == "$x$"
    assert len(fig.axes) == 2 and fig.axes[1].get_ylabel() == "$u$"  # la barra de colores
    np.testing.assert_allclose(np.asarray(image.get_array()).reshape(X.shape), X + Y)
    with pytest.raises(ValueError, match="misma forma"):
        plot_field(ax, X, Y[:2], X)
    with pytest.raises(ValueError, match="deben coincidir"):
        plot_field(ax, X, Y, np.zeros(5))
    plt.close(fig)
