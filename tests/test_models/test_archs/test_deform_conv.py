"""The PyTorch DCNv2 used for CPU training equals mmcv's and torchvision's."""
import pytest
import torch
from torchvision.ops import deform_conv2d

from c2m_mmagic.models.archs import (DEFORM_CONVS, deform_conv_for,
                                     modulated_deform_conv2d_pytorch)
from numerics import assert_float32_close


def inputs(dtype, n=2, c=16, h=9, w=11, groups=4, scale=3.):
    g = torch.Generator().manual_seed(0)
    return [
        torch.randn(n, c, h, w, generator=g, dtype=dtype),
        torch.randn(n, 2 * groups * 9, h, w, generator=g, dtype=dtype) *
        scale,
        torch.rand(n, groups * 9, h, w, generator=g, dtype=dtype),
        torch.randn(c + 2, c, 3, 3, generator=g, dtype=dtype),
        torch.randn(c + 2, generator=g, dtype=dtype),
    ]


def test_output_and_gradients_equal_torchvision_in_float64():
    """torchvision's DCNv2 as the float64 reference: same output and the
    same gradients for input, offsets, mask, weight and bias."""
    x, offset, mask, weight, bias = [
        t.requires_grad_() for t in inputs(torch.float64)
    ]
    results = []
    for fn in (lambda: modulated_deform_conv2d_pytorch(
            x, offset, mask, weight, bias, 1, 1, 1, 1, 4),
               lambda: deform_conv2d(x, offset, weight, bias, 1, 1, 1,
                                     mask)):
        out = fn()
        grads = torch.autograd.grad(out.square().sum(),
                                    (x, offset, mask, weight, bias))
        results.append((out, ) + grads)
    for ours, ref in zip(*results):
        torch.testing.assert_close(ours, ref, rtol=1e-10, atol=1e-10)


def strided_args(dtype, stride, padding):
    """Inputs cropped to the output grid of a stride/padding."""
    x, offset, mask, weight, bias = inputs(dtype)
    ho = (x.shape[2] + 2 * padding - 3) // stride + 1
    wo = (x.shape[3] + 2 * padding - 3) // stride + 1
    offset, mask = offset[..., :ho, :wo], mask[..., :ho, :wo]
    return (x, offset.contiguous(), mask.contiguous(), weight, bias, stride,
            padding, 1, 1, 4)


@pytest.mark.parametrize('stride,padding', [(1, 1), (2, 0)])
def test_every_implementation_equals_torchvision_in_float64(stride, padding):
    """In float32, each implementation (ours, mmcv's and the wrapper of
    torchvision's) is within the derived bound of torchvision's float64
    output (the bound: torchvision's own float32 error)."""
    args32 = strided_args(torch.float32, stride, padding)
    torchvision = DEFORM_CONVS['torchvision'].fn
    expected = torchvision(*strided_args(torch.float64, stride, padding))
    walk32 = deform_conv2d(*args32[:2], args32[3], args32[4], stride,
                           padding, 1, args32[2])
    for name, op in DEFORM_CONVS.items():
        assert_float32_close(op.fn(*args32), expected, walk32, what=name)


def test_pytorch_dcn_computes_any_output_grid():
    """The offsets' grid is the output grid: a 5x6 corner of the output
    sampled from a larger map equals the corner of the full output (the
    aggregation of a reference larger than the input)."""
    x, offset, mask, weight, bias = inputs(torch.float64)
    full = modulated_deform_conv2d_pytorch(x, offset, mask, weight, bias, 1,
                                           1, 1, 1, 4)
    corner = modulated_deform_conv2d_pytorch(
        x, offset[..., :5, :6].contiguous(), mask[..., :5, :6].contiguous(),
        weight, bias, 1, 1, 1, 1, 4)
    torch.testing.assert_close(corner, full[..., :5, :6], rtol=1e-12,
                               atol=1e-12)
    assert DEFORM_CONVS['pytorch'].any_grid
    assert not DEFORM_CONVS['mmcv'].any_grid


def test_auto_picks_mmcv_on_cuda_and_pytorch_elsewhere():
    assert deform_conv_for('auto', 'cpu') is DEFORM_CONVS['pytorch']
    assert deform_conv_for('auto', 'cuda') is DEFORM_CONVS['mmcv']
    with pytest.raises(ValueError, match='deform_conv must be'):
        deform_conv_for('fast', 'cpu')
