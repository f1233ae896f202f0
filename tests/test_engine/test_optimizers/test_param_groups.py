"""The generator's optimizer with one group per learning rate (as released)
computes exactly what mmengine's one-group-per-parameter optimizer does,
step for step and through a schedule, and resumes from its checkpoints."""
import copy

import pytest
import torch
from mmengine.optim import MultiStepLR, build_optim_wrapper
from mmengine.registry import init_default_scope

from mmagic.registry import MODELS
from helpers import make_batch, model_cfg, real_pair


def optim_wrappers(model, cfg, constructor):
    optim_cfg = copy.deepcopy(cfg.optim_wrapper)
    optim_cfg.constructor = constructor
    return build_optim_wrapper(model, optim_cfg)


def lrs_by_name(model, wrapper):
    names = {id(p): n for n, p in model.generator.named_parameters()}
    return {names[id(p)]: g['lr'] for g in wrapper.optimizer.param_groups
            for p in g['params']}


@pytest.fixture(scope='module')
def setup():
    init_default_scope('mmagic')  # module scope: before conftest's fixture
    cfg = model_cfg('c2matching-rec_cufed.py', num_blocks=1)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).train()
    for name in ('small', 'medium', 'large'):  # offsets that learn
        agg = getattr(model.generator, f'{name}_dyn_agg')
        torch.nn.init.normal_(agg.conv_offset_mask.weight, std=0.01)
    gt, ref = real_pair((48, 48))
    return cfg, model, make_batch(gt, ref, n=2)


def test_one_group_per_learning_rate_with_every_rate_kept(setup):
    cfg, model, _ = setup
    merged = optim_wrappers(model, cfg, 'GroupedMultiOptimWrapperConstructor')
    per_param = optim_wrappers(model, cfg, 'MultiOptimWrapperConstructor')
    groups = merged['generator'].optimizer.param_groups
    assert len(per_param['generator'].optimizer.param_groups) == len(
        list(model.generator.parameters()))
    # the release's four: the generator, relu3_1/relu2_1/relu1_1 offsets
    assert sorted(g['lr'] for g in groups) == pytest.approx(
        [1e-6, 1e-5, 1e-4, 1e-4])
    assert lrs_by_name(model, merged['generator']) == lrs_by_name(
        model, per_param['generator'])


def run_steps(model, cfg, constructor, batch, steps, state=None):
    """``steps`` training steps of a copy of ``model`` with a learning-rate
    drop after the second; the copy and its optimizer state."""
    model = copy.deepcopy(model)
    wrappers = optim_wrappers(model, cfg, constructor)
    if state is not None:  # a copy: Adam updates its state in place
        wrappers.load_state_dict(copy.deepcopy(state))
    scheduler = MultiStepLR(wrappers['generator'], milestones=[2],
                            gamma=0.1, by_epoch=False)
    for _ in range(steps):
        model.train_step(copy.deepcopy(batch), wrappers)
        scheduler.step()
    return model, wrappers


def test_steps_through_a_schedule_equal_per_parameter_groups(setup):
    cfg, model, batch = setup
    merged, _ = run_steps(model, cfg, 'GroupedMultiOptimWrapperConstructor',
                          batch, 4)
    per_param, _ = run_steps(model, cfg, 'MultiOptimWrapperConstructor',
                             batch, 4)
    moved = 0
    for (name, a), (_, b) in zip(merged.generator.named_parameters(),
                                 per_param.generator.named_parameters()):
        assert torch.equal(a, b), name
        moved += not torch.equal(a, dict(
            model.generator.named_parameters())[name])
    assert moved == len(list(model.generator.parameters()))


def test_a_per_parameter_checkpoint_resumes_into_merged_groups(setup):
    """An optimizer state saved before the merge (one group per tensor)
    loads into the merged groups: the next steps equal those of the run
    that kept per-parameter groups."""
    cfg, model, batch = setup
    old_model, old = run_steps(model, cfg, 'MultiOptimWrapperConstructor',
                               batch, 1)
    state = old.state_dict()
    resumed, wrappers = run_steps(old_model, cfg,
                                  'GroupedMultiOptimWrapperConstructor',
                                  batch, 2, state)
    kept, _ = run_steps(old_model, cfg, 'MultiOptimWrapperConstructor', batch,
                        2, state)
    assert len(wrappers['generator'].optimizer.param_groups) == 4
    for (name, a), (_, b) in zip(resumed.generator.named_parameters(),
                                 kept.generator.named_parameters()):
        assert torch.equal(a, b), name


def test_the_group_count_is_logged(setup, monkeypatch):
    cfg, model, _ = setup
    logged = []
    monkeypatch.setattr(
        'c2m_mmagic.engine.optimizers.param_groups.print_log',
        lambda msg, *a, **k: logged.append(msg))
    optim_wrappers(model, cfg, 'GroupedMultiOptimWrapperConstructor')
    tensors = len(list(model.generator.parameters()))
    assert any(f'4 parameter groups for {tensors} tensors' in m
               for m in logged), logged
