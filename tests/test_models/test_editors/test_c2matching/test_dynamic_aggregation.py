"""Dynamic aggregation (docs/method.md §5.2) against torchvision's deform_conv2d."""
import copy

import pytest
import torch
from torchvision.ops import deform_conv2d

from c2m_mmagic.models.editors.c2matching.dynamic_aggregation import (
    DynamicAggregation, combine_offsets, deform_group_parts)
from numerics import assert_float32_close, assert_gradients_close


def direct_combined_offsets(learned, pre, groups):
    """Channel 2(9g+k) gets Δy + pre_y, channel 2(9g+k)+1 Δx + pre_x."""
    out = learned.clone()
    for g in range(groups):
        for k in range(9):
            out[:, 2 * (9 * g + k)] += pre[:, k, :, :, 1]
            out[:, 2 * (9 * g + k) + 1] += pre[:, k, :, :, 0]
    return out


def test_combine_offsets_layout():
    learned = torch.randn(2, 2 * 8 * 9, 5, 6)
    pre = torch.randn(2, 9, 5, 6, 2)
    torch.testing.assert_close(
        combine_offsets(learned, pre, 8),
        direct_combined_offsets(learned, pre, 8),
        rtol=0,
        atol=0)


def torchvision_walk(agg, ref_feat, cond, pre, dtype):
    """docs/method.md §5.2 through torchvision's deform_conv2d in ``dtype``: offsets
    combined by the letter, the DCN run on the reference's grid, the output
    cropped to the condition's."""
    with torch.no_grad():
        raw = agg.conv_offset_mask(cond)
    o1, o2, m = torch.chunk(raw, 3, dim=1)
    offset = direct_combined_offsets(torch.cat((o1, o2), 1), pre,
                                     agg.deform_groups)
    h, w = cond.shape[-2:]
    hr, wr = ref_feat.shape[-2:]
    offset = torch.nn.functional.pad(offset, (0, wr - w, 0, hr - h))
    mask = torch.nn.functional.pad(torch.sigmoid(m), (0, wr - w, 0, hr - h))
    return deform_conv2d(
        ref_feat.to(dtype), offset.to(dtype), agg.weight.detach().to(dtype),
        agg.bias.detach().to(dtype), padding=1,
        mask=mask.to(dtype))[..., :h, :w]


def aggregation_case(ref_size, seed=1):
    """A DynAgg with an active offset/mask branch (learned offsets matter)
    and its inputs."""
    torch.manual_seed(seed)
    c, groups, h, w = 16, 8, 6, 7
    agg = DynamicAggregation(c, groups)
    torch.nn.init.normal_(agg.conv_offset_mask.weight, std=0.05)
    torch.nn.init.normal_(agg.conv_offset_mask.bias, std=0.5)
    return agg, (torch.randn(2, c, *ref_size), torch.randn(2, c, h, w),
                 torch.randn(2, 9, h, w, 2) * 3)


@pytest.mark.parametrize('ref_size', [(6, 7), (9, 11)])
@pytest.mark.parametrize('training', [True, False])
@pytest.mark.parametrize('deform_conv', ['auto', 'mmcv', 'torchvision'])
def test_equals_torchvision_deform_conv2d(ref_size, training, deform_conv):
    """Every implementation, in training and in inference: on the CPU the
    default runs PyTorch's operators on the output grid, mmcv's and
    torchvision's run on the reference's grid and crop."""
    agg, inputs = aggregation_case(ref_size)
    agg.train(training)
    agg.deform_conv = deform_conv
    with torch.set_grad_enabled(training):
        out = agg(*inputs)
    assert out.shape == (2, 16, 6, 7) and out.requires_grad == training
    assert_float32_close(out, torchvision_walk(agg, *inputs, torch.float64),
                         torchvision_walk(agg, *inputs, torch.float32),
                         what='DynamicAggregation')


def test_the_derived_bound_detects_one_moved_offset():
    """A pre-offset moved by 0.01 pixel at one position fails the bound."""
    agg, (ref_feat, cond, pre) = aggregation_case((9, 11))
    expected = torchvision_walk(agg, ref_feat, cond, pre, torch.float64)
    walk32 = torchvision_walk(agg, ref_feat, cond, pre, torch.float32)
    moved = pre.clone()
    moved[0, 4, 3, 3, 0] += 0.01
    with torch.no_grad():
        out = agg.eval()(ref_feat, cond, moved)
    with pytest.raises(AssertionError, match='derived bound'):
        assert_float32_close(out, expected, walk32)


def aggregation_gradients(agg, inputs, dtype, deform_conv='auto'):
    """Parameter gradients of a squared-output loss, the module and its
    inputs in ``dtype``, through the DCNv2 implementation named."""
    agg = copy.deepcopy(agg).to(dtype).train()
    agg.deform_conv = deform_conv
    agg(*(t.to(dtype) for t in inputs)).square().mean().backward()
    return {n: p.grad for n, p in agg.named_parameters()}


def test_cpu_gradients_equal_mmcvs():
    """The CPU path (PyTorch's operators) and mmcv's op give the same
    gradients for every parameter: both within the derived bound of the
    float64 ones."""
    torch.manual_seed(2)
    agg = DynamicAggregation(16, 4)
    torch.nn.init.normal_(agg.conv_offset_mask.weight, std=0.05)
    inputs = (torch.randn(2, 16, 8, 9), torch.randn(2, 16, 8, 9),
              torch.randn(2, 9, 8, 9, 2) * 2)
    expected = aggregation_gradients(agg, inputs, torch.float64)
    ours = aggregation_gradients(agg, inputs, torch.float32)
    mmcv = aggregation_gradients(agg, inputs, torch.float32, 'mmcv')
    assert_gradients_close(mmcv, expected, ours)
    assert_gradients_close(ours, expected, mmcv)


def test_init_follows_dcnv2_and_zero_offset_branch():
    agg = DynamicAggregation(64, 8)
    bound = 1 / (64 * 9)**0.5
    assert agg.weight.abs().max() <= bound
    assert agg.weight.std() > bound / 3  # uniform, not zero
    assert agg.bias.abs().max() == 0
    assert agg.conv_offset_mask.weight.abs().max() == 0
    assert agg.conv_offset_mask.weight.shape == (216, 64, 3, 3)


def test_reference_smaller_than_grid_is_refused():
    agg = DynamicAggregation(8, 2)
    with pytest.raises(ValueError, match='must cover'):
        agg(torch.randn(1, 8, 4, 4), torch.randn(1, 8, 5, 5),
            torch.zeros(1, 9, 5, 5, 2))


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_cuda_forward_backward_matches_cpu():
    torch.manual_seed(2)
    agg = DynamicAggregation(32, 8)
    torch.nn.init.normal_(agg.conv_offset_mask.weight, std=0.05)
    inputs = [torch.randn(2, 32, 12, 13), torch.randn(2, 32, 10, 11),
              torch.randn(2, 9, 10, 11, 2) * 2]
    results = []
    for device in ('cpu', 'cuda'):
        # fresh copies: .to() of a module moves the grads it already holds
        mod = copy.deepcopy(agg).to(device)
        xs = [
            t.to(device, copy=True).requires_grad_(i < 2)
            for i, t in enumerate(inputs)
        ]
        out = mod(*xs)
        out.square().sum().backward()
        results.append([out.cpu(), xs[0].grad.cpu(), mod.weight.grad.cpu()])
    for cpu_t, cuda_t in zip(*results):
        torch.testing.assert_close(cuda_t, cpu_t, rtol=1e-3, atol=1e-3)


def test_deform_group_parts_bound_the_column_buffer():
    # 64 channels, 8 groups, 2048x2048 (the HR grid of a 2048² input)
    assert deform_group_parts(64, 8, 2048, 2048, 2**31 - 1) == 2
    assert deform_group_parts(64, 8, 512, 512, 2**31 - 1) == 1
    assert deform_group_parts(64, 8, 10, 10, 64 * 9 * 100 // 4) == 4
    # parts divide the groups: 3 would fit but is not a divisor of 8
    assert deform_group_parts(48, 8, 10, 10, 16 * 9 * 100) == 4
    with pytest.raises(ValueError, match='too large'):
        deform_group_parts(64, 8, 10, 10, 8 * 9 * 100 - 1)


@pytest.mark.parametrize('training', [True, False])
def test_split_over_deform_groups_equals_one_call(training):
    """Over-large grids of mmcv's op run as a sum over parts of the deform
    groups: the same output and gradients as one call, in float64, where the
    sum's reordering leaves nothing near 1e-10."""
    torch.manual_seed(3)
    agg = DynamicAggregation(16, 8,
                             deform_conv='mmcv').train(training).double()
    torch.nn.init.normal_(agg.conv_offset_mask.weight, std=0.05)
    torch.nn.init.normal_(agg.bias, std=0.5)
    inputs = [torch.randn(2, 16, 9, 11), torch.randn(2, 16, 7, 8),
              torch.randn(2, 9, 7, 8, 2) * 2]
    results = []
    for limit in (None, 16 * 9 * 9 * 11 // 4):  # one call; four parts
        mod = copy.deepcopy(agg)
        if limit:
            mod.max_column_elements = limit
        xs = [t.double().requires_grad_(i < 2) for i, t in enumerate(inputs)]
        out = mod(*xs)
        out.square().sum().backward()
        results.append([
            out, xs[0].grad, xs[1].grad, mod.weight.grad, mod.bias.grad,
            mod.conv_offset_mask.weight.grad
        ])
    for one, parts in zip(*results):
        assert parts.dtype == torch.float64
        torch.testing.assert_close(parts, one, rtol=1e-10, atol=1e-10)
