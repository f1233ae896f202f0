"""C2MatchingNet against a float64 walk through docs/method.md §5.3."""
import math

import pytest
import torch
import torch.nn.functional as F
from torchvision.ops import deform_conv2d

from c2m_mmagic.models.editors.c2matching import C2MatchingNet
from c2m_mmagic.models.editors.c2matching.scales import SCALES
from numerics import assert_float32_close


def spec_forward(net, x, pre_offsets, ref_feats, blocks, groups):
    """docs/method.md §5.3 in functional ops of ``x``'s dtype (float64: the
    reference; float32: its rounding), DCN through torchvision."""
    p = {k: v.to(x.dtype) for k, v in net.state_dict().items()}

    def conv(t, name):
        return F.conv2d(t, p[name + '.weight'], p[name + '.bias'], padding=1)

    def lrelu(t):
        return F.leaky_relu(t, 0.1)

    def res_blocks(t, prefix):
        for i in range(blocks):
            t = t + conv(F.relu(conv(t, f'{prefix}.{i}.conv1')),
                         f'{prefix}.{i}.conv2')
        return t

    feat = res_blocks(lrelu(conv(x, 'content_extractor.conv_first')),
                      'content_extractor.body')
    for name, layer, _, _ in SCALES:
        ref = ref_feats[layer]
        cond = lrelu(conv(torch.cat((feat, ref), 1), f'{name}_offset_conv1'))
        cond = lrelu(conv(cond, f'{name}_offset_conv2'))
        o1, o2, mask = conv(cond, f'{name}_dyn_agg.conv_offset_mask').chunk(
            3, 1)
        offset = torch.cat((o1, o2), 1)
        n, _, h, w = offset.shape
        offset = offset.view(n, groups, 9, 2, h, w).clone()
        pre = pre_offsets[layer].to(x.dtype)  # (n, 9, h, w, 2) as (x, y)
        offset[:, :, :, 0] += pre[..., 1].unsqueeze(1)  # Δy
        offset[:, :, :, 1] += pre[..., 0].unsqueeze(1)  # Δx
        agg = lrelu(
            deform_conv2d(ref, offset.view(n, -1, h, w),
                          p[f'{name}_dyn_agg.weight'],
                          p[f'{name}_dyn_agg.bias'], padding=1,
                          mask=torch.sigmoid(mask)))
        head = lrelu(conv(torch.cat((feat, agg), 1), f'head_{name}.0'))
        body = res_blocks(head, f'body_{name}') + feat
        if name == 'large':
            out = conv(lrelu(conv(body, 'tail_large.0')), 'tail_large.2')
        else:
            out = lrelu(F.pixel_shuffle(conv(body, f'tail_{name}.0'), 2))
        feat = out
    return feat + F.interpolate(x, scale_factor=4, mode='bilinear',
                                align_corners=False)


def spec_walk_case():
    """A small net with every branch active (weights of std 0.1, offsets
    too), its inputs, and the spec walk in float64 and in float32."""
    torch.manual_seed(0)
    blocks, groups, c = 1, 2, 8
    net = C2MatchingNet(mid_channels=c, num_blocks=blocks,
                        deform_groups=groups, offset_warn_threshold=None)
    for param in net.parameters():
        torch.nn.init.normal_(param, std=0.1)
    n, h, w = 2, 5, 6
    x = torch.rand(n, 3, h, w)
    pre = {layer: torch.randn(n, 9, h * s, w * s, 2) * 2
           for _, layer, _, s in SCALES}
    ref = {layer: torch.randn(n, rc, h * s, w * s)
           for _, layer, rc, s in SCALES}
    expected = spec_forward(net, x.double(), pre,
                            {k: v.double() for k, v in ref.items()}, blocks,
                            groups)
    walk32 = spec_forward(net, x, pre, ref, blocks, groups)
    return net, (x, pre, ref), expected, walk32


def test_forward_equals_the_spec_walk_in_float64():
    net, inputs, expected, walk32 = spec_walk_case()
    out = net(*inputs)
    assert out.shape == expected.shape == (2, 3, 20, 24)
    assert_float32_close(out, expected, walk32, what='C2MatchingNet')


@pytest.mark.parametrize('perturb', ['weight', 'offset'])
def test_the_derived_bound_detects_one_perturbed_weight_or_offset(perturb):
    """The bound still guards the walk: one weight of the first conv changed
    by 2e-3 (2% of its std), or one pre-offset of the finest scale moved by
    one pixel, fails it (by 5x or more with AVX2 kernels and with
    PyTorch's scalar ones, whose float32 error is 5x larger)."""
    net, (x, pre, ref), expected, walk32 = spec_walk_case()
    with torch.no_grad():
        if perturb == 'weight':
            net.content_extractor.conv_first.weight[0, 0, 0, 0] += 2e-3
        else:
            pre['relu1_1'][0, 4, 10, 12, 0] += 1.
    with pytest.raises(AssertionError, match='derived bound'):
        assert_float32_close(net(x, pre, ref), expected, walk32)


def test_init_follows_the_spec():
    net = C2MatchingNet()
    convs = [(name, m) for name, m in net.named_modules()
             if isinstance(m, torch.nn.Conv2d)]
    weights = torch.cat([m.weight.detach().flatten() for name, m in convs
                         if 'conv_offset_mask' not in name])
    assert weights.mean().abs() < 1e-4
    assert weights.std() == pytest.approx(0.02, rel=0.01)
    assert all(not m.bias.any() for _, m in convs)
    for name, _, c, _ in SCALES:
        dyn = getattr(net, f'{name}_dyn_agg')
        assert not dyn.conv_offset_mask.weight.any()
        bound = 1 / math.sqrt(c * 9)  # DCNv2's own init
        assert dyn.weight.abs().max() <= bound
        assert dyn.weight.abs().max() > 0.9 * bound and not dyn.bias.any()


def test_zero_tail_returns_the_bilinear_upsampling():
    net = C2MatchingNet(mid_channels=8, num_blocks=1)
    torch.nn.init.zeros_(net.tail_large[2].weight)
    x = torch.rand(1, 3, 4, 5)
    pre = {layer: torch.zeros(1, 9, 4 * s, 5 * s, 2)
           for _, layer, _, s in SCALES}
    ref = {layer: torch.rand(1, rc, 4 * s, 5 * s)
           for _, layer, rc, s in SCALES}
    expected = F.interpolate(x.double(), scale_factor=4, mode='bilinear',
                             align_corners=False)
    torch.testing.assert_close(net(x, pre, ref).double(), expected,
                               rtol=0, atol=1e-6)
