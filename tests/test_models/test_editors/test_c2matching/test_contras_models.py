"""Stages 1 and 2: gradients, frozen teacher, and loss going down on photos."""
import copy
import os.path as osp

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.optim import build_optim_wrapper

from mmagic.registry import MODELS
from helpers import REPO


def stage_cfg(name):
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'c2matching', name))
    for key in ('teacher', 'student'):
        if key in cfg.model:
            cfg.model[key].pretrained = None
            cfg.model[key].init_cfg = None
    return cfg


def photo_batch(cfg, demo_root, n=2, size=64, seed=0):
    """Packed samples from the stage pipeline on bundled photos."""
    import glob
    pipeline = copy.deepcopy(cfg.train_dataloader.dataset.pipeline)
    pipeline[1]['scale'] = (size, size)
    pipeline[-2].update(window=size, seed=seed)
    pipeline = Compose(pipeline)
    files = sorted(glob.glob(osp.join(demo_root, 'CUFED', 'input', '*.png')))
    np.random.seed(seed)
    packed = [pipeline(dict(gt_path=f)) for f in files[:n]]
    return dict(inputs=[p['inputs'] for p in packed],
                data_samples=[p['data_samples'] for p in packed])


def loss_curve(model, optim, batch, steps):
    losses = []
    for _ in range(steps):
        log = model.train_step(copy.deepcopy(batch), optim)
        losses.append(float(log['loss']))
    return losses


def test_teacher_loss_goes_down(demo_root):
    torch.manual_seed(0)
    cfg = stage_cfg('c2matching-teacher_1xb8-5k_cufed.py')
    cfg.model.min_points = 16
    model = MODELS.build(cfg.model)
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    batch = photo_batch(cfg, demo_root)
    losses = loss_curve(model, optim, batch, 6)
    assert losses[-1] < losses[0]


def test_student_gets_gradients_teacher_none(demo_root):
    torch.manual_seed(0)
    cfg = stage_cfg('c2matching-student_1xb8-75k_cufed.py')
    cfg.model.min_points = 16
    model = MODELS.build(cfg.model)
    data = model.data_preprocessor(photo_batch(cfg, demo_root), True)
    losses = model(None, data['data_samples'], mode='loss')
    assert set(losses) == {'loss_margin', 'loss_kl'}
    sum(losses.values()).backward()
    assert all(p.grad is None for p in model.teacher.parameters())
    assert all(p.grad is not None and p.grad.abs().sum() > 0
               for p in model.student.parameters())
    assert not any(p.requires_grad for p in model.teacher.parameters())


def test_student_loss_goes_down(demo_root):
    torch.manual_seed(0)
    cfg = stage_cfg('c2matching-student_1xb8-75k_cufed.py')
    cfg.model.min_points = 16
    model = MODELS.build(cfg.model)
    teacher_before = copy.deepcopy(model.teacher.state_dict())
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    losses = loss_curve(model, optim, photo_batch(cfg, demo_root), 6)
    assert losses[-1] < losses[0]
    assert all(torch.equal(v, teacher_before[k])
               for k, v in model.teacher.state_dict().items())


def test_batch_without_points_is_skipped(demo_root):
    cfg = stage_cfg('c2matching-teacher_1xb8-5k_cufed.py')
    cfg.model.min_points = 10_000  # more than any 64x64 sample has
    model = MODELS.build(cfg.model)
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    before = copy.deepcopy(model.state_dict())
    log = model.train_step(photo_batch(cfg, demo_root), optim)
    assert log == {}
    assert all(torch.equal(v, before[k]) for k, v in model.state_dict().items())


def test_validation_reports_matching_accuracy(demo_root):
    cfg = stage_cfg('c2matching-teacher_1xb8-5k_cufed.py')
    cfg.model.min_points = 16
    model = MODELS.build(cfg.model).eval()
    data = model.data_preprocessor(photo_batch(cfg, demo_root), False)
    with torch.no_grad():
        preds = model(data['inputs'], data['data_samples'], mode='predict')
    from c2m_mmagic.evaluation import MatchingAccuracy
    metric = MatchingAccuracy()
    metric.process(None, [p.to_dict() for p in preds])
    result = metric.compute_metrics(metric.results)
    assert 0 <= result['acc@1'] <= result['acc@3'] <= 1
    assert result['valid_points'] > 32
