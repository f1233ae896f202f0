"""The C2Matching editor: inference, unequal sizes, training steps."""
import copy

import numpy as np
import pytest
import torch
from mmengine.optim import build_optim_wrapper

from mmagic.registry import MODELS
from helpers import make_batch, model_cfg, real_pair, several_references_batch


@pytest.mark.parametrize('ref_size', [(64, 48), (96, 128), (120, 160)])
def test_unequal_input_and_reference_sizes(ref_size):
    cfg = model_cfg('c2matching-rec_cufed.py')
    model = MODELS.build(cfg.model).eval()
    gt, ref = real_pair((96, 128))
    from skimage.transform import resize
    ref = (resize(ref, ref_size) * 255).round().astype(np.uint8)
    batch = model.data_preprocessor(make_batch(gt, ref, n=1), False)
    with torch.no_grad():
        out = model(batch['inputs'], batch['data_samples'], mode='tensor')
    assert out.shape == (1, 3, 96, 128)
    assert torch.isfinite(out).all()


def test_pipeline_fields_are_required_by_name():
    model = MODELS.build(model_cfg('c2matching-rec_cufed.py').model).eval()
    gt, ref = real_pair((48, 64))
    batch = model.data_preprocessor(make_batch(gt, ref, n=1), False)
    samples = batch['data_samples']
    del samples.img_lq
    with pytest.raises(ValueError, match='`img_lq`.*produce `img_lq`'):
        model(batch['inputs'], samples, mode='tensor')


def test_predict_returns_datasamples_with_pred_img():
    cfg = model_cfg('c2matching-rec_cufed.py')
    model = MODELS.build(cfg.model).eval()
    gt, ref = real_pair((48, 64))
    batch = model.data_preprocessor(make_batch(gt, ref, n=2), False)
    with torch.no_grad():
        preds = model(batch['inputs'], batch['data_samples'], mode='predict')
    assert len(preds) == 2
    assert preds[0].output.pred_img.shape == (3, 48, 64)
    # scored as released: the tensor output clamped, on the uint8 grid (BGR)
    with torch.no_grad():
        out = model(batch['inputs'], batch['data_samples'], mode='tensor')
    expected = (out.clamp(0, 1) * 255).round().flip(1)
    for pred, exp in zip(preds, expected):
        torch.testing.assert_close(pred.output.pred_img, exp, rtol=0,
                                   atol=1e-3)
        assert torch.equal(pred.output.pred_img,
                           pred.output.pred_img.round())


def test_prediction_is_cropped_to_the_unpadded_size():
    model = MODELS.build(model_cfg('c2matching-rec_cufed.py').model).eval()
    gt, ref = real_pair((48, 64))
    packed = make_batch(gt, ref, n=1)
    packed['data_samples'][0].set_metainfo(dict(unpadded_size=(40, 52)))
    batch = model.data_preprocessor(packed, False)
    with torch.no_grad():
        pred = model(batch['inputs'], batch['data_samples'],
                     mode='predict')[0].output.pred_img
        out = model(batch['inputs'], batch['data_samples'], mode='tensor')
    assert pred.shape == (3, 40, 52)
    expected = (out[0].clamp(0, 1) * 255).round().flip(0)[:, :40, :52]
    torch.testing.assert_close(pred, expected, rtol=0, atol=1e-3)


@pytest.mark.parametrize('config', ['c2matching-rec_cufed.py',
                                    'c2matching_cufed.py'])
def test_one_training_step_changes_generator_only(config):
    cfg = model_cfg(config)
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
    after = {
        **{'e.' + k: v for k, v in model.extractor.state_dict().items()},
        **{'v.' + k: v for k, v in model.ref_extractor.state_dict().items()}
    }
    assert all(torch.equal(after[k], v) for k, v in frozen_before.items())
    if 'discriminator' in cfg.model:
        assert {'loss_perceptual', 'loss_gan', 'loss_d_real', 'loss_d_fake',
                'loss_gp'} <= set(log)
    assert int(model.step_counter) == 1


def test_offset_learning_rates_per_branch():
    cfg = model_cfg('c2matching-rec_cufed.py')
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
    cfg = model_cfg('c2matching_cufed.py')
    cfg.model.train_cfg.pixel_init = 5
    model = MODELS.build(cfg.model).train()
    optim = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
    d_before = copy.deepcopy(model.discriminator.state_dict())
    gt, ref = real_pair((64, 64))
    log = model.train_step(make_batch(gt, ref, n=2), optim)
    assert set(log) == {'loss_pix'}
    assert all(torch.equal(v, d_before[k])
               for k, v in model.discriminator.state_dict().items())


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_cuda_forward_and_backward_match_cpu(monkeypatch):
    # full fp32 on the GPU: TF32 convolutions could flip near-tied matches
    monkeypatch.setattr(torch.backends.cudnn, 'allow_tf32', False)
    monkeypatch.setattr(torch.backends.cuda.matmul, 'allow_tf32', False)
    cfg = model_cfg('c2matching-rec_cufed.py')
    model = MODELS.build(cfg.model)
    for m in (model.generator.small_dyn_agg, model.generator.large_dyn_agg):
        torch.nn.init.normal_(m.conv_offset_mask.weight, std=0.01)
    gt, ref = real_pair((64, 96))
    results = []
    for device in ('cpu', 'cuda'):
        # a fresh copy: .to() of a module moves the grads it already holds
        on_device = copy.deepcopy(model).to(device)
        batch = on_device.data_preprocessor(make_batch(gt, ref, n=2), True)
        out = on_device(batch['inputs'], batch['data_samples'], mode='tensor')
        out.abs().mean().backward()
        grad = on_device.generator.small_dyn_agg.conv_offset_mask.weight.grad
        results.append((out.detach().cpu(), grad.cpu()))
    torch.testing.assert_close(results[1][0], results[0][0], rtol=1e-3,
                               atol=1e-4)
    torch.testing.assert_close(results[1][1], results[0][1], rtol=1e-2,
                               atol=1e-5)


def test_discriminator_steps_first_and_the_generator_meets_it_updated():
    """After the warm-up, the generator's adversarial loss is computed with
    the discriminator weights of after this iteration's discriminator step
    (docs/method.md §5.4), not with the ones before it (mmagic's SRGAN order)."""
    cfg = model_cfg('c2matching_cufed.py')
    cfg.model.train_cfg.pixel_init = 0
    model = MODELS.build(cfg.model).train()
    optim = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
    gt, ref = real_pair((64, 64))
    batch = make_batch(gt, ref, n=2)
    before = copy.deepcopy(model)
    log = model.train_step(copy.deepcopy(batch), optim)

    def gan_loss(discriminator):
        """The generator's WGAN term for the output of the generator as it
        was before the step, judged by ``discriminator`` (train mode)."""
        data = before.data_preprocessor(copy.deepcopy(batch), True)
        with torch.no_grad():
            out = before.forward_train(data['inputs'], data['data_samples'])
            return float(before.gan_loss(
                copy.deepcopy(discriminator)(out), True, is_disc=False))

    updated, stale = gan_loss(model.discriminator), gan_loss(
        before.discriminator)
    assert abs(updated - stale) > 1e-3 * abs(stale)  # the step mattered
    assert float(log['loss_gan']) == pytest.approx(updated, rel=1e-5)
    assert {'loss_d_real', 'loss_d_fake', 'loss_gp'} <= set(log)


def test_copies_of_one_reference_give_the_single_reference_output():
    """The multi-reference option: K copies of a reference search the same
    patches and sample the same features (the first copy wins ties)."""
    cfg = model_cfg('c2matching-rec_cufed.py')
    model = MODELS.build(cfg.model).eval()
    model.extractor.init_weights()  # the same random branches
    for name in ('small', 'medium', 'large'):  # a few pixels of learned offset
        agg = getattr(model.generator, f'{name}_dyn_agg')
        torch.nn.init.normal_(agg.conv_offset_mask.weight, std=1e-3)
    gt, ref = real_pair((64, 96))
    ref = ref[:56, :84]  # another size than the input
    outputs = []
    for batch in (make_batch(gt, ref, n=1),
                  several_references_batch(gt, [ref, ref, ref])):
        batch = model.data_preprocessor(batch, False)
        with torch.no_grad():
            outputs.append(
                model(batch['inputs'], batch['data_samples'], mode='tensor'))
    as_uint8 = [(o.clamp(0, 1) * 255).round() for o in outputs]
    assert (as_uint8[0] - as_uint8[1]).abs().le(1).float().mean() >= 0.995
    torch.testing.assert_close(outputs[1], outputs[0], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize('option', ['disc_steps=2', 'disc_repeat=3',
                                    'disc_init_steps=5'])
def test_srgan_discriminator_schedules_are_refused_by_name(option):
    """SRGAN reads these from train_cfg; the release's update order has no
    place for them, so a config that sets them fails instead of being
    silently ignored."""
    cfg = model_cfg('c2matching_cufed.py')
    key, value = option.split('=')
    cfg.model.train_cfg[key] = int(value)
    with pytest.raises(ValueError, match=f'train_cfg.{key} is not supported'):
        MODELS.build(cfg.model)
    cfg.model.train_cfg[key] = {'disc_steps': 1, 'disc_repeat': 1,
                                'disc_init_steps': 0}[key]
    MODELS.build(cfg.model)  # the defaults are what the release does


def test_bf16_inference_keeps_the_fp32_matching():
    """precision='bf16': the networks run in bf16 autocast, the matching on
    the very fp32 features (same flow); the image moves by bf16 rounding,
    a fraction of a grey level on most pixels."""
    from c2m_mmagic.models.editors.c2matching.correspondence import \
        CorrespondenceGenerator
    gt, ref = real_pair((64, 96))
    cfg = model_cfg('c2matching-rec_cufed.py')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).eval()
    batch = model.data_preprocessor(make_batch(gt, ref, n=1), False)
    flows = []
    flow = CorrespondenceGenerator.flow

    def recorded(self, *args, **kwargs):
        flows.append(flow(self, *args, **kwargs))
        return flows[-1]

    outputs = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(CorrespondenceGenerator, 'flow', recorded)
        for precision in ('fp32', 'bf16'):
            model.update_test_cfg(precision=precision)
            with torch.no_grad():
                outputs[precision] = model(batch['inputs'],
                                           batch['data_samples'],
                                           mode='tensor')
    assert torch.equal(flows[0], flows[1])
    assert outputs['bf16'].dtype == torch.float32
    levels = (outputs['bf16'] - outputs['fp32']).abs() * 255
    assert float(levels.max()) > 0  # bf16 was in force
    assert float(levels.le(1).float().mean()) >= 0.99
    with pytest.raises(ValueError, match="precision must be one of "
                       r"\['bf16', 'fp32'\], got 'fp16'"):
        cfg.model.test_cfg = dict(precision='fp16')
        MODELS.build(cfg.model)
