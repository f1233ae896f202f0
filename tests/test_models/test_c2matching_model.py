"""The C2Matching editor: forward on unequal sizes and training steps."""
import copy
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from mmagic.registry import MODELS
from mmagic.structures import DataSample
from c2m_mmagic.models.editors.c2matching.c2matching import pil_bicubic_resize
from helpers import REPO, real_pair


def load_cfg(name, num_blocks=2):
    cfg = Config.fromfile(osp.join(REPO, 'configs', name))
    cfg.model.generator.num_blocks = num_blocks
    cfg.model.extractor.checkpoint = None
    cfg.model.ref_extractor.pretrained = None
    if 'perceptual_loss' in cfg.model:
        cfg.model.perceptual_loss.pretrained = None
    return cfg


def make_batch(gt: np.ndarray, ref: np.ndarray, n: int = 2):
    """A packed batch as the pipeline would give it (LR inputs, samples)."""
    from PIL import Image
    h, w = gt.shape[:2]
    lr = np.asarray(Image.fromarray(gt).resize((w // 4, h // 4), Image.BICUBIC))
    up = np.asarray(Image.fromarray(lr).resize((w, h), Image.BICUBIC))

    def chw(a):
        return torch.from_numpy(np.ascontiguousarray(a)).permute(2, 0, 1)

    inputs, samples = [], []
    for i in range(n):
        flip = (lambda a: a[:, ::-1]) if i % 2 else (lambda a: a)
        inputs.append(chw(flip(lr)))
        samples.append(DataSample(gt_img=chw(flip(gt)), ref_img=chw(flip(ref)),
                                  img_lq=chw(flip(up))))
    return dict(inputs=inputs, data_samples=samples)


def test_pil_bicubic_resize_equals_pil():
    gt, _ = real_pair((40, 52))
    from PIL import Image
    expected = np.asarray(Image.fromarray(gt).resize((13, 10), Image.BICUBIC))
    t = torch.from_numpy(gt).permute(2, 0, 1)[None].float() / 255.
    got = pil_bicubic_resize(t, (10, 13))
    np.testing.assert_array_equal(
        (got[0].permute(1, 2, 0) * 255).round().byte().numpy(), expected)


@pytest.mark.parametrize('ref_size', [(64, 48), (96, 128), (120, 160)])
def test_unequal_input_and_reference_sizes(ref_size):
    cfg = load_cfg('c2matching-rec_cufed.py')
    model = MODELS.build(cfg.model).eval()
    gt, ref = real_pair((96, 128))
    from skimage.transform import resize
    ref = (resize(ref, ref_size) * 255).round().astype(np.uint8)
    batch = model.data_preprocessor(make_batch(gt, ref, n=1), False)
    with torch.no_grad():
        out = model(batch['inputs'], batch['data_samples'], mode='tensor')
    assert out.shape == (1, 3, 96, 128)
    assert torch.isfinite(out).all()
    # without `img_lq` from the pipeline, the model computes it identically
    samples = batch['data_samples']
    del samples.img_lq
    with torch.no_grad():
        out2 = model(batch['inputs'], samples, mode='tensor')
    torch.testing.assert_close(out2, out, rtol=0, atol=0)


def test_predict_returns_datasamples_with_pred_img():
    cfg = load_cfg('c2matching-rec_cufed.py')
    model = MODELS.build(cfg.model).eval()
    gt, ref = real_pair((48, 64))
    batch = model.data_preprocessor(make_batch(gt, ref, n=2), False)
    with torch.no_grad():
        preds = model(batch['inputs'], batch['data_samples'], mode='predict')
    assert len(preds) == 2
    assert preds[0].output.pred_img.shape == (3, 48, 64)
    assert 0 <= float(preds[0].output.pred_img.mean()) <= 255


@pytest.mark.parametrize('config', ['c2matching-rec_cufed.py',
                                    'c2matching_cufed.py'])
def test_one_training_step_changes_generator_only(config):
    cfg = load_cfg(config)
    if 'train_cfg' in cfg.model:
        cfg.model.train_cfg.pixel_init = 0
    model = MODELS.build(cfg.model)
    model.train()
    optim = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
    gen_before = copy.deepcopy(model.generator.state_dict())
    frozen_before = copy.deepcopy(
        {**{'e.' + k: v for k, v in model.extractor.state_dict().items()},
         **{'v.' + k: v for k, v in model.ref_extractor.state_dict().items()}})
    gt, ref = real_pair((64, 64))
    log = model.train_step(make_batch(gt, ref, n=2), optim)
    assert torch.isfinite(torch.as_tensor(log['loss_pix']))
    changed = [k for k, v in model.generator.state_dict().items()
               if not torch.equal(v, gen_before[k])]
    assert 'tail_large.2.weight' in changed
    assert 'small_dyn_agg.conv_offset_mask.weight' in changed
    after = {**{'e.' + k: v for k, v in model.extractor.state_dict().items()},
             **{'v.' + k: v for k, v in model.ref_extractor.state_dict().items()}}
    assert all(torch.equal(after[k], v) for k, v in frozen_before.items())
    if 'discriminator' in cfg.model:
        assert {'loss_perceptual', 'loss_gan', 'loss_d_real', 'loss_d_fake',
                'loss_gp'} <= set(log)
    assert int(model.step_counter) == 1


def test_offset_learning_rates_per_branch():
    cfg = load_cfg('c2matching-rec_cufed.py')
    model = MODELS.build(cfg.model)
    optim = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
    names = {id(p): n for n, p in model.generator.named_parameters()}
    lrs = {}
    for group in optim['generator'].optimizer.param_groups:
        for p in group['params']:
            lrs[names[id(p)]] = group['lr']
    assert lrs['small_offset_conv1.weight'] == pytest.approx(1e-6)
    assert lrs['small_dyn_agg.conv_offset_mask.bias'] == pytest.approx(1e-6)
    assert lrs['medium_offset_conv2.weight'] == pytest.approx(1e-5)
    assert lrs['medium_dyn_agg.conv_offset_mask.weight'] == pytest.approx(1e-5)
    assert lrs['large_offset_conv1.bias'] == pytest.approx(1e-4)
    assert lrs['small_dyn_agg.weight'] == pytest.approx(1e-4)
    assert lrs['body_small.0.conv1.weight'] == pytest.approx(1e-4)
    # the frozen networks are not optimised at all
    assert len(names) == len(lrs)


def test_pixel_only_warm_up_skips_gan_and_discriminator():
    cfg = load_cfg('c2matching_cufed.py')
    cfg.model.train_cfg.pixel_init = 5
    model = MODELS.build(cfg.model).train()
    optim = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
    d_before = copy.deepcopy(model.discriminator.state_dict())
    gt, ref = real_pair((64, 64))
    log = model.train_step(make_batch(gt, ref, n=2), optim)
    assert set(log) == {'loss_pix'}
    assert all(torch.equal(v, d_before[k])
               for k, v in model.discriminator.state_dict().items())


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_cuda_forward_and_backward_match_cpu(monkeypatch):
    # full fp32 on the GPU: TF32 convolutions could flip near-tied matches
    monkeypatch.setattr(torch.backends.cudnn, 'allow_tf32', False)
    monkeypatch.setattr(torch.backends.cuda.matmul, 'allow_tf32', False)
    cfg = load_cfg('c2matching-rec_cufed.py')
    model = MODELS.build(cfg.model)
    for m in (model.generator.small_dyn_agg, model.generator.large_dyn_agg):
        torch.nn.init.normal_(m.conv_offset_mask.weight, std=0.01)
    gt, ref = real_pair((64, 96))
    results = []
    for device in ('cpu', 'cuda'):
        model.to(device).zero_grad()
        batch = model.data_preprocessor(make_batch(gt, ref, n=2), True)
        out = model(batch['inputs'], batch['data_samples'], mode='tensor')
        out.abs().mean().backward()
        grad = model.generator.small_dyn_agg.conv_offset_mask.weight.grad
        results.append((out.detach().cpu(), grad.cpu()))
    torch.testing.assert_close(results[1][0], results[0][0], rtol=1e-3,
                               atol=1e-4)
    torch.testing.assert_close(results[1][1], results[0][1], rtol=1e-2,
                               atol=1e-5)
