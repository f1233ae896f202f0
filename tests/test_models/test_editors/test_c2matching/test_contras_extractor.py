"""ContrasExtractor: two VGG16 branches to conv3_1 and their weights."""
import pytest
import torch
import torchvision

from c2m_mmagic.models.editors.c2matching import ContrasExtractor
from c2m_mmagic.utils import CheckpointMismatchError


def test_branches_are_vgg16_to_conv3_1_from_torchvision_weights(tmp_path):
    vgg = torchvision.models.vgg16(weights=None).double()
    path = str(tmp_path / 'vgg16.pth')
    torch.save(vgg.state_dict(), path)
    extractor = ContrasExtractor(pretrained=path).double()
    extractor.init_weights()
    img, ref = torch.rand(1, 3, 32, 40).double(), torch.rand(1, 3, 24, 28)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1).double()
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1).double()
    feat_img, feat_ref = extractor(img, ref.double())
    # conv3_1 is features[10]; no ReLU after it
    torch.testing.assert_close(feat_img, vgg.features[:11]((img - mean) / std))
    torch.testing.assert_close(
        feat_ref, vgg.features[:11]((ref.double() - mean) / std))
    assert feat_img.shape == (1, 256, 8, 10)


def test_random_start_is_the_same_in_both_branches():
    """Without ImageNet weights the branches start equal, as they would
    from VGG16: two different random networks could not be matched."""
    extractor = ContrasExtractor()
    extractor.init_weights()
    one = extractor.feature_extraction_image1.state_dict()
    two = extractor.feature_extraction_image2.state_dict()
    assert all(torch.equal(one[k], two[k]) for k in one)


def test_stage_checkpoint_loads_strictly_by_prefix(tmp_path):
    trained = ContrasExtractor()
    torch.save({'state_dict': {f'student.{k}': v + 1
                               for k, v in trained.state_dict().items()}},
               tmp_path / 'stage2.pth')
    extractor = ContrasExtractor(init_cfg=dict(
        type='Pretrained', checkpoint=str(tmp_path / 'stage2.pth'),
        prefix='student.'))
    extractor.init_weights()
    for key, value in trained.state_dict().items():
        assert torch.equal(extractor.state_dict()[key], value + 1), key
    wrong = ContrasExtractor(init_cfg=dict(
        type='Pretrained', checkpoint=str(tmp_path / 'stage2.pth'),
        prefix='teacher.'))
    with pytest.raises(CheckpointMismatchError, match="under 'teacher.'"):
        wrong.init_weights()
