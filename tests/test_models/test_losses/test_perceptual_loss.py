"""FrobeniusPerceptualLoss against torchvision's VGG19 in float64."""
import pytest
import torch
import torchvision

from c2m_mmagic.models.losses import FrobeniusPerceptualLoss
from numerics import assert_float32_close


def test_equals_the_frobenius_norm_of_torchvision_relu5_1(tmp_path):
    torch.manual_seed(0)
    vgg = torchvision.models.vgg19(weights=None)
    path = str(tmp_path / 'vgg19.pth')
    torch.save(vgg.state_dict(), path)
    loss = FrobeniusPerceptualLoss(loss_weight=1e-4, pretrained=path)
    loss.init_weights()
    pred, gt = torch.rand(2, 3, 32, 32), torch.rand(2, 3, 32, 32)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    relu5_1 = vgg.features[:30]  # index 29 is relu5_1

    def walk(dtype):
        relu5_1.to(dtype)
        with torch.no_grad():
            return torch.linalg.vector_norm(
                relu5_1((pred.to(dtype) - mean.to(dtype)) / std.to(dtype)) -
                relu5_1((gt.to(dtype) - mean.to(dtype)) / std.to(dtype))) * 1e-4

    expected, walk32 = walk(torch.float64), walk(torch.float32)
    assert_float32_close(loss(pred, gt), expected, walk32,
                         what='perceptual loss')
    with pytest.raises(AssertionError, match='derived bound'):
        # the bound still sees one input pixel changed by 1e-3
        moved = pred.clone()
        moved[0, 0, 16, 16] += 1e-3
        assert_float32_close(loss(moved, gt), expected, walk32)


def test_vgg_weights_stay_out_of_checkpoints():
    loss = FrobeniusPerceptualLoss()
    assert loss.state_dict() == {}
    holder = torch.nn.Module()
    holder.loss = loss
    result = holder.load_state_dict({}, strict=True)  # nothing missing
    assert not result.missing_keys
    with pytest.raises(ValueError, match='unknown VGG19 layers'):
        FrobeniusPerceptualLoss(layer_weights={'relu9_9': 1.})
