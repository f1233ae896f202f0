"""The PyTorch DCNv2 used for CPU training equals mmcv's and torchvision's."""
import pytest
import torch
from mmcv.ops import modulated_deform_conv2d
from torchvision.ops import deform_conv2d

from c2m_mmagic.models.archs import modulated_deform_conv2d_pytorch


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


@pytest.mark.parametrize('stride,padding', [(1, 1), (2, 0)])
def test_output_equals_mmcv_in_float32(stride, padding):
    x, offset, mask, weight, bias = inputs(torch.float32)
    ho = (x.shape[2] + 2 * padding - 3) // stride + 1
    wo = (x.shape[3] + 2 * padding - 3) // stride + 1
    offset, mask = offset[..., :ho, :wo], mask[..., :ho, :wo]
    args = (x, offset.contiguous(), mask.contiguous(), weight, bias, stride,
            padding, 1, 1, 4)
    torch.testing.assert_close(
        modulated_deform_conv2d_pytorch(*args),
        modulated_deform_conv2d(*args), rtol=1e-4, atol=1e-4)
