"""FrobeniusPerceptualLoss against torchvision's VGG19 in float64."""
import pytest
import torch
import torchvision

from c2m_mmagic.models.losses import FrobeniusPerceptualLoss


def test_equals_the_frobenius_norm_of_torchvision_relu5_1(tmp_path):
    torch.manual_seed(0)
    vgg = torchvision.models.vgg19(weights=None)
    path = str(tmp_path / 'vgg19.pth')
    torch.save(vgg.state_dict(), path)
    loss = FrobeniusPerceptualLoss(loss_weight=1e-4, pretrained=path)
    loss.init_weights()
    pred, gt = torch.rand(2, 3, 32, 32), torch.rand(2, 3, 32, 32)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1).double()
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1).double()
    relu5_1 = vgg.features[:30].double()  # index 29 is relu5_1
    with torch.no_grad():
        expected = torch.linalg.vector_norm(
            relu5_1((pred.double() - mean) / std) -
            relu5_1((gt.double() - mean) / std)) * 1e-4
    assert float(loss(pred, gt)) == pytest.approx(float(expected), rel=1e-4)


def test_vgg_weights_stay_out_of_checkpoints():
    loss = FrobeniusPerceptualLoss()
    assert loss.state_dict() == {}
    holder = torch.nn.Module()
    holder.loss = loss
    result = holder.load_state_dict({}, strict=True)  # nothing missing
    assert not result.missing_keys
    with pytest.raises(ValueError, match='unknown VGG19 layers'):
        FrobeniusPerceptualLoss(layer_weights={'relu9_9': 1.})
