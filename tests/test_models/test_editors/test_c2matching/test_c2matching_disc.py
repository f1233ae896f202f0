"""C2MatchingDiscriminator against a float64 walk through docs/method.md §5.4."""
import pytest
import torch
import torch.nn.functional as F

from c2m_mmagic.models.editors.c2matching import C2MatchingDiscriminator
from numerics import assert_float32_close


def spec_forward(disc, x):
    """Five [conv s1, BN, LReLU(0.2), conv s2, BN, LReLU(0.2)] blocks,
    global average pool, 1x1 convs 512 -> 1024 -> 1, sigmoid (BN in eval
    mode: running statistics), in ``x``'s dtype."""
    convs = [m for m in disc.features if isinstance(m, torch.nn.Conv2d)]
    norms = [m for m in disc.features
             if isinstance(m, torch.nn.BatchNorm2d)]
    for i, (conv, norm) in enumerate(zip(convs, norms)):
        x = F.conv2d(x, conv.weight.to(x.dtype), conv.bias.to(x.dtype),
                     stride=1 + i % 2, padding=1)
        x = (x - norm.running_mean.to(x.dtype)[:, None, None]) / torch.sqrt(
            norm.running_var.to(x.dtype)[:, None, None] + norm.eps)
        x = x * norm.weight.to(x.dtype)[:, None, None] + \
            norm.bias.to(x.dtype)[:, None, None]
        x = F.leaky_relu(x, 0.2)
    x = x.mean((2, 3), keepdim=True)
    head1, head2 = disc.head[1], disc.head[3]
    x = F.leaky_relu(
        F.conv2d(x, head1.weight.to(x.dtype), head1.bias.to(x.dtype)), 0.2)
    x = F.conv2d(x, head2.weight.to(x.dtype), head2.bias.to(x.dtype))
    return torch.sigmoid(x).flatten(1)


def spec_walk_case():
    """A discriminator with BN statistics and biases set, an input, and the
    spec walk in float64 and in float32."""
    torch.manual_seed(0)
    disc = C2MatchingDiscriminator().eval()
    for m in disc.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.normal_(m.bias, std=0.02)
    x = torch.rand(2, 3, 64, 48)
    with torch.no_grad():
        return disc, x, spec_forward(disc, x.double()), spec_forward(disc, x)


def test_the_derived_bound_detects_one_perturbed_weight():
    """One weight of the last conv changed by 3e-3 fails the bound (the
    output, a sigmoid near 0.5, moves by about 6x the bound)."""
    disc, x, expected, walk32 = spec_walk_case()
    with torch.no_grad():
        disc.head[3].weight[0, 0] += 3e-3
        out = disc(x)
    with pytest.raises(AssertionError, match='derived bound'):
        assert_float32_close(out, expected, walk32)


def test_forward_equals_the_spec_walk_in_float64():
    disc, x, expected, walk32 = spec_walk_case()
    with torch.no_grad():
        out = disc(x)
    assert out.shape == (2, 1)
    assert_float32_close(out, expected, walk32,
                         what='C2MatchingDiscriminator')
    assert [m.out_channels for m in disc.features
            if isinstance(m, torch.nn.Conv2d)] == [32, 32, 64, 64, 128, 128,
                                                    256, 256, 512, 512]


def test_init_follows_the_spec():
    disc = C2MatchingDiscriminator()
    convs = [m for m in disc.modules() if isinstance(m, torch.nn.Conv2d)]
    weights = torch.cat([m.weight.detach().flatten() for m in convs])
    assert weights.std() == pytest.approx(0.02, rel=0.01)
    assert all(not m.bias.any() for m in convs)
    bn = torch.cat([m.weight.detach() for m in disc.modules()
                    if isinstance(m, torch.nn.BatchNorm2d)])
    assert bn.mean() == pytest.approx(1.0, abs=0.005)
    assert bn.std() == pytest.approx(0.02, rel=0.1)
