"""One inference route: mmagic's inferencers and the plugin's wrapper of
them give the same image; the tool is built on them."""
import os.path as osp

import numpy as np
import pytest
import torch
from PIL import Image

from c2m_mmagic.apis import RefSRInferencer
from helpers import REPO, converted_random_release, real_pair

CONFIG = osp.join(REPO, 'configs', 'c2matching_cufed.py')


@pytest.fixture(scope='module')
def pair_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp('pair')
    gt, ref = real_pair((48, 64))
    Image.fromarray(gt).resize((16, 12), Image.BICUBIC).save(folder / 'lr.png')
    Image.fromarray(ref[:45, :61]).save(folder / 'ref.png')  # not mod 4
    return str(folder / 'lr.png'), str(folder / 'ref.png')


@pytest.fixture(scope='module')
def converted(tmp_path_factory):
    return converted_random_release(str(tmp_path_factory.mktemp('ckpt')))


def test_mmagic_inferencers_and_the_plugin_give_the_same_image(
        pair_files, converted, tmp_path):
    from mmagic.apis.inferencers import Inferencers
    lr, ref = pair_files
    ours = RefSRInferencer(CONFIG, converted, 'cpu').restore(lr, ref)
    assert ours.shape == (48, 64, 3) and ours.dtype == np.uint8
    out = str(tmp_path / 'mmagic.png')
    mmagic = Inferencers(task='Image super-resolution', config=CONFIG,
                         ckpt=converted, device='cpu')
    mmagic(img=lr, ref=ref, result_out_dir=out)
    np.testing.assert_array_equal(np.asarray(Image.open(out)), ours)


def test_mmagic_inferencer_by_model_name_runs_c2matching(
        pair_files, converted, tmp_path):
    """MMagicInferencer needs a model name it knows; with 'ttsr' and the
    C²-Matching config and checkpoint it runs C²-Matching."""
    from mmagic.apis import MMagicInferencer
    lr, ref = pair_files
    ours = RefSRInferencer(CONFIG, converted, 'cpu').restore(lr, ref)
    with pytest.raises(ValueError, match='Unknown inferencer task: None'):
        MMagicInferencer(model_config=CONFIG, model_ckpt=converted,
                         device='cpu')
    out = str(tmp_path / 'by_name.png')
    with pytest.warns(UserWarning, match="ttsr's default config is "
                      'overridden'):
        by_name = MMagicInferencer('ttsr', model_config=CONFIG,
                                   model_ckpt=converted, device='cpu')
    by_name.infer(img=lr, ref=ref, result_out_dir=out)
    np.testing.assert_array_equal(np.asarray(Image.open(out)), ours)


def test_output_is_the_model_on_the_pipeline_tensors(pair_files, converted):
    """The image equals the model's tensor output (clamped, rounded) on the
    demo pipeline's LR image and PIL-bicubic upsampling."""
    lr, ref = pair_files
    inferencer = RefSRInferencer(CONFIG, converted, 'cpu')
    sample = inferencer.predict(lr, ref)
    lr_img = np.asarray(Image.open(lr))
    up = np.asarray(Image.fromarray(lr_img).resize((64, 48), Image.BICUBIC))
    np.testing.assert_array_equal(
        sample.img_lq.permute(1, 2, 0).numpy(), up)
    from mmagic.structures import DataSample

    def chw(a):
        return torch.from_numpy(np.ascontiguousarray(a)).permute(2, 0, 1)[None]

    ref_img = np.asarray(Image.open(ref))[:44, :60]  # mod-cropped
    with torch.no_grad():
        out = inferencer.model(
            chw(lr_img).float() / 255.,
            DataSample(ref_img=chw(ref_img), img_lq=chw(up)), mode='tensor')
    expected = (out[0].clamp(0, 1) * 255).round().byte().permute(1, 2, 0)
    np.testing.assert_array_equal(inferencer.restore(lr, ref),
                                  expected.numpy())


def test_a_checkpoint_of_another_model_is_refused(tmp_path):
    other = str(tmp_path / 'other.pth')
    torch.save({'state_dict': {'generator.x': torch.zeros(1)}}, other)
    with pytest.raises(ValueError, match='other.pth does not fit C2Matching'):
        RefSRInferencer(CONFIG, other, 'cpu')
