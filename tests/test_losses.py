import math

import pytest
import torch

from snnviz.errors import ConfigError
from snnviz.losses import LOSSES, make_loss


def _ce_two_class(target_logit: float, other_logit: float) -> float:
    return math.log1p(math.exp(other_logit - target_logit))


COS = torch.tensor([[0.5, 0.0]])
LABEL = torch.tensor([0])
THETA = math.acos(0.5)  # pi / 3


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        ("normface", {"s": 2.0}, _ce_two_class(2 * 0.5, 0.0)),
        ("cosface", {"s": 2.0, "m": 0.25}, _ce_two_class(2 * (0.5 - 0.25), 0.0)),
        ("arcface", {"s": 2.0, "m": 0.3}, _ce_two_class(2 * math.cos(THETA + 0.3), 0.0)),
        ("sphereface", {"s": 2.0, "m": 2}, _ce_two_class(2 * math.cos(2 * THETA), 0.0)),  # k = 0
    ],
)
def test_margin_losses_match_hand_values(name, params, expected):
    loss = make_loss(name, **params)
    assert loss(COS, LABEL).item() == pytest.approx(expected, rel=1e-5)


def test_softmax_loss_is_cross_entropy_on_logits():
    loss = make_loss("softmax")
    assert loss(torch.tensor([[2.0, 1.0]]), LABEL).item() == pytest.approx(_ce_two_class(2.0, 1.0), rel=1e-6)
    assert loss.requires_cosine is False


def test_sphereface_psi_is_monotone_piecewise():
    loss = make_loss("sphereface", s=1.0, m=2)
    theta = 2 * math.pi / 3  # m*theta = 4pi/3 -> k = 1 -> psi = -cos(4pi/3) - 2 = -1.5
    logits = loss.target_logits(torch.tensor([[math.cos(theta), 0.0]]), LABEL)
    assert logits[0, 0].item() == pytest.approx(-1.5, abs=1e-5)
    thetas = torch.linspace(0.01, math.pi - 0.01, 200)
    cos = torch.stack([torch.cos(thetas), torch.zeros_like(thetas)], dim=1)
    psi = loss.target_logits(cos, torch.zeros(200, dtype=torch.long))[:, 0]
    assert torch.all(psi[1:] < psi[:-1])


def test_arcface_falls_back_beyond_pi():
    m = 0.5
    loss = make_loss("arcface", s=1.0, m=m)
    logits = loss.target_logits(torch.tensor([[-0.99, 0.0]]), LABEL)
    assert logits[0, 0].item() == pytest.approx(-0.99 - math.sin(math.pi - m) * m, abs=1e-6)
    assert logits[0, 1].item() == 0.0  # non-target logits are untouched


def test_cosface_only_changes_the_target_logit():
    loss = make_loss("cosface", s=3.0, m=0.2)
    logits = loss.target_logits(torch.tensor([[0.4, 0.3, -0.1]]), torch.tensor([1]))
    torch.testing.assert_close(logits, torch.tensor([[1.2, 0.3, -0.3]]))


@pytest.mark.parametrize("name", ["normface", "cosface", "arcface", "sphereface"])
@pytest.mark.parametrize("value", [1.0, -1.0])
def test_gradients_are_finite_at_the_poles(name, value):
    cos = torch.tensor([[value, -value, 0.0], [value, value, value]], requires_grad=True)
    loss = make_loss(name)(cos, torch.tensor([0, 2]))
    loss.backward()
    assert torch.isfinite(loss)
    assert torch.isfinite(cos.grad).all()


def test_make_loss_rejects_bad_names_and_params():
    with pytest.raises(ConfigError, match="must be one of softmax, normface, cosface, arcface, sphereface"):
        make_loss("triplet")
    with pytest.raises(ConfigError, match=r"Unknown parameter\(s\) for the 'cosface' loss: margin\. Valid: s, m"):
        make_loss("cosface", margin=0.3)
    with pytest.raises(ConfigError, match=r"'m' must be a float in \[0, pi/2\)\. Got 2.0"):
        make_loss("arcface", m=2.0)
    with pytest.raises(ConfigError, match="must be an integer >= 1. Got 1.5"):
        make_loss("sphereface", m=1.5)
    with pytest.raises(ConfigError, match="'s' must be a float > 0"):
        make_loss("normface", s=0)
    assert set(LOSSES) == {"softmax", "normface", "cosface", "arcface", "sphereface"}
