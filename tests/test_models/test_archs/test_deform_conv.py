"""The PyTorch DCNv2 used for CPU training equals mmcv's and torchvision's."""
import pytest
import torch
from mmcv.ops import modulated_deform_conv2d
from torchvision.ops import deform_conv2d

from c2m_mmagic.models.archs import modulated_deform_conv2d_pytorch
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


def torchvision_dcn(x, offset, mask, weight, bias, stride, padding, *_):
    return deform_conv2d(x, offset, weight, bias, stride, padding, 1, mask)


@pytest.mark.parametrize('stride,padding', [(1, 1), (2, 0)])
def test_output_equals_mmcv_in_float32(stride, padding):
    """In float32, ours and mmcv's are both within the derived bound of
    torchvision's float64 output (the bound: torchvision's float32 error)."""
    args32 = strided_args(torch.float32, stride, padding)
    expected = torchvision_dcn(*strided_args(torch.float64, stride, padding))
    walk32 = torchvision_dcn(*args32)
    assert_float32_close(modulated_deform_conv2d_pytorch(*args32), expected,
                         walk32, what='PyTorch DCNv2')
    assert_float32_close(modulated_deform_conv2d(*args32), expected, walk32,
                         what="mmcv's DCNv2")
