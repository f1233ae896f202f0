"""Bad input gets one readable error; long runs survive faults (issue 7)."""
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from c2m_mmagic.utils import weights_only_globals
from helpers import REPO, converted_random_release, model_cfg, real_pair, run_tool
from numerics import assert_gradients_close

CUFED = osp.join(REPO, 'configs', 'c2matching_cufed.py')
DEMO = osp.join(REPO, 'configs', 'c2matching', 'c2matching-rec_demo.py')


def assert_clean_failure(proc, *needles):
    assert proc.returncode != 0
    assert 'Traceback' not in proc.stderr, proc.stderr[-2000:]
    for needle in needles:
        assert needle in proc.stderr, (needle, proc.stderr[-2000:])


@pytest.fixture(scope='module')
def converted(tmp_path_factory):
    return converted_random_release(str(tmp_path_factory.mktemp('ckpt')))


def test_image_modes_are_read_as_8_bit_rgb(tmp_path, converted):
    """Grey, RGBA, palette and 16-bit inputs give the same output as their
    8-bit RGB version (the pipeline's OpenCV decoding)."""
    rgb, ref = real_pair((24, 32))
    gray = np.asarray(Image.fromarray(rgb).convert('L'))
    Image.fromarray(ref).resize((128, 96)).save(tmp_path / 'ref.png')
    cases = {
        'gray.png': (Image.fromarray(gray), np.stack([gray] * 3, -1)),
        'rgba.png': (Image.fromarray(rgb).convert('RGBA'), rgb),
        'palette.png': (Image.fromarray(rgb).convert('P'),
                        np.asarray(Image.fromarray(rgb).convert('P')
                                   .convert('RGB'))),
        'gray16.png': (Image.fromarray(gray.astype(np.uint16) * 257),
                       np.stack([gray] * 3, -1)),
    }
    from c2m_mmagic.apis import RefSRInferencer
    inferencer = RefSRInferencer(CUFED, converted, 'cpu')
    for name, (img, as_rgb) in cases.items():
        img.save(tmp_path / name)
        Image.fromarray(as_rgb).save(tmp_path / f'rgb_{name}')
        outs = [
            inferencer.restore(str(tmp_path / lr), str(tmp_path / 'ref.png'))
            for lr in (name, f'rgb_{name}')
        ]
        np.testing.assert_array_equal(outs[0], outs[1], err_msg=name)


def test_inference_refuses_bad_inputs_by_name(tmp_path, converted):
    rgb, ref = real_pair((64, 64))
    Image.fromarray(ref).save(tmp_path / 'ref.png')
    Image.fromarray(rgb[:16, :16]).save(tmp_path / 'lr.png')
    data = (tmp_path / 'lr.png').read_bytes()
    (tmp_path / 'cut.png').write_bytes(data[:len(data) // 2])
    Image.fromarray(rgb[:2, :8]).save(tmp_path / 'tiny.png')
    Image.fromarray(ref[:8, :40]).save(tmp_path / 'tinyref.png')
    out = str(tmp_path / 'sr.png')

    def infer(img, ref_name, ckpt=converted):
        return run_tool('tools/inference.py', CUFED, ckpt, '--img',
                        str(tmp_path / img), '--ref',
                        str(tmp_path / ref_name), '--out', out)

    assert_clean_failure(infer('cut.png', 'ref.png'), 'cut.png', 'cannot read')
    assert_clean_failure(infer('missing.png', 'ref.png'), 'missing.png',
                         'not found')
    assert_clean_failure(infer('tiny.png', 'ref.png'), '--img', '8x2',
                         'at least 3x3')
    assert_clean_failure(infer('lr.png', 'tinyref.png'), '--ref',
                         'at least 12x12')
    assert not osp.exists(out)
    # a checkpoint of another model, and a truncated one
    other = str(tmp_path / 'other.pth')
    torch.save({'state_dict': {'generator.conv_first.weight':
                               torch.zeros(1)}}, other)
    assert_clean_failure(infer('lr.png', 'ref.png', other), 'other.pth',
                         'does not fit')
    blob = open(converted, 'rb').read()
    (tmp_path / 'trunc.pth').write_bytes(blob[:len(blob) // 3])
    assert_clean_failure(infer('lr.png', 'ref.png',
                               str(tmp_path / 'trunc.pth')), 'trunc.pth',
                         'cannot read')
    assert not osp.exists(out)
    assert [f for f in os.listdir(tmp_path) if f.endswith('.tmp')] == []


def tensor_samples(ref, img_lq):
    from mmagic.structures import DataSample
    return DataSample(ref_img=ref * 255, img_lq=img_lq * 255)


def test_non_finite_input_is_refused():
    from mmagic.registry import MODELS
    model = MODELS.build(model_cfg('c2matching_cufed.py', 1).model).eval()
    img = torch.rand(1, 3, 8, 8)
    img[0, 1, 2, 3] = float('nan')
    with pytest.raises(ValueError, match='input image holds NaN'):
        model(img, tensor_samples(torch.rand(1, 3, 32, 32),
                                  torch.rand(1, 3, 32, 32)), mode='tensor')


def test_reference_over_the_pixel_budget_is_refused():
    from mmagic.registry import MODELS
    cfg = model_cfg('c2matching_cufed.py', 1)
    cfg.model.test_cfg = dict(max_ref_pixels=64 * 64)
    model = MODELS.build(cfg.model).eval()
    with pytest.raises(ValueError, match=r'80x72 pixels.*max_ref_pixels'):
        model(torch.rand(1, 3, 8, 8),
              tensor_samples(torch.rand(1, 3, 72, 80),
                             torch.rand(1, 3, 32, 32)), mode='tensor')


def test_large_reference_matches_within_a_small_budget():
    from c2m_mmagic.models.editors.c2matching.patch_matching import (
        l2_normalize_channels, match_patches)
    feat_in = l2_normalize_channels(torch.randn(1, 16, 10, 12))
    feat_ref = l2_normalize_channels(torch.randn(1, 16, 60, 80))
    whole, _ = match_patches(feat_in, feat_ref, chunk_elements=2**30)
    small, _ = match_patches(feat_in, feat_ref, chunk_elements=5000)
    assert torch.equal(whole, small)


def test_test_tool_refuses_wrong_checkpoint(tmp_path, demo_root):
    other = str(tmp_path / 'other.pth')
    torch.save({'state_dict': {'x': torch.zeros(1)}}, other)
    proc = run_tool('tools/test.py', CUFED, other, '--work-dir',
                    str(tmp_path / 'w'), '--cfg-options',
                    f'test_dataloader.dataset.data_root={demo_root}/CUFED5')
    assert_clean_failure(proc, 'other.pth', 'does not fit C2Matching')


def test_missing_stage_checkpoint_is_named(tmp_path, demo_root):
    proc = run_tool('tools/train.py', DEMO, '--work-dir', str(tmp_path),
                    '--cfg-options',
                    f'train_dataloader.dataset.data_root={demo_root}/CUFED',
        f'val_dataloader.dataset.data_root={demo_root}/CUFED5',
                    'model.extractor.init_cfg.checkpoint=nowhere/student.pth')
    assert_clean_failure(proc, 'stage checkpoint: file not found',
                         'nowhere/student.pth')


def test_nan_loss_stops_with_iteration_and_term(tmp_path, demo_root):
    proc = run_tool(
        'tools/train.py', DEMO, '--work-dir', str(tmp_path), '--cfg-options',
        f'train_dataloader.dataset.data_root={demo_root}/CUFED',
        f'val_dataloader.dataset.data_root={demo_root}/CUFED5',
        'model.extractor.init_cfg=None', 'train_dataloader.batch_size=1',
        'model.pixel_loss.loss_weight=nan')
    assert_clean_failure(proc, 'non-finite loss at iteration 1', 'loss_pix')
    assert osp.isfile(tmp_path / 'nonfinite_iter_1.pth')
    batch = torch.load(tmp_path / 'nonfinite_iter_1_batch.pth',
                       weights_only=False)
    assert 'inputs' in batch


def decaying_demo_config(folder) -> str:
    """The demo config with the generator's lr decaying at iteration 3: the
    README's one line for following the paper's schedule."""
    path = osp.join(folder, 'decaying_demo.py')
    with open(path, 'w') as f:
        f.write(f"_base_ = {DEMO!r}\n"
                "param_scheduler = dict(generator=[dict(type='MultiStepLR', "
                "by_epoch=False, milestones=[3], gamma=0.1)])\n")
    return path


def demo_train_args(config, work, demo_root, iters, *extra):
    return [
        sys.executable, 'tools/train.py', config, '--work-dir', work, *extra,
        '--cfg-options',
        f'train_dataloader.dataset.data_root={demo_root}/CUFED',
        f'val_dataloader.dataset.data_root={demo_root}/CUFED5',
        'model.extractor.init_cfg=None', 'train_dataloader.batch_size=2',
        f'train_cfg.max_iters={iters}', 'train_cfg.val_interval=1000',
        'default_hooks.checkpoint.interval=2'
    ]


def test_killed_run_resumes_like_an_uninterrupted_one(tmp_path, demo_root):
    config = decaying_demo_config(str(tmp_path))
    straight = str(tmp_path / 'straight')
    proc = subprocess.run(demo_train_args(config, straight, demo_root, 4),
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]

    killed = str(tmp_path / 'killed')
    run = subprocess.Popen(demo_train_args(config, killed, demo_root, 4),
                           cwd=REPO,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import time
    deadline = time.time() + 300
    while not osp.exists(osp.join(killed, 'iter_2.pth')):
        assert run.poll() is None and time.time() < deadline
        time.sleep(0.05)
    run.kill()  # SIGKILL right after the checkpoint of iteration 2
    run.wait()
    assert not osp.exists(osp.join(killed, 'iter_4.pth'))

    proc = subprocess.run(demo_train_args(config, killed, demo_root, 4,
                                          '--resume'),
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'resumed from the latest checkpoint' in proc.stdout + proc.stderr
    with weights_only_globals():
        a = torch.load(osp.join(straight, 'iter_4.pth'), weights_only=True)
        b = torch.load(osp.join(killed, 'iter_4.pth'), weights_only=True)
    assert b['meta']['iter'] == 4
    # bit-identical: same data order and flips (mmengine skips the trained
    # batches), optimizer state and learning-rate schedule (x0.1 at 3)
    for key, value in a['state_dict'].items():
        assert torch.equal(value, b['state_dict'][key]), key
    opt_a, opt_b = a['optimizer']['generator'], b['optimizer']['generator']
    assert [g['lr'] for g in opt_a['param_groups']] == [
        g['lr'] for g in opt_b['param_groups']]
    assert min(g['lr'] for g in opt_b['param_groups']) < 1e-6
    for index, state in opt_a['state'].items():
        for name, value in state.items():
            assert torch.equal(value, opt_b['state'][index][name]), name


def torchrun(nproc, *args):
    return subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--standalone',
         f'--nproc_per_node={nproc}', *args],
        capture_output=True, text=True, cwd=REPO)


@pytest.mark.numerics
def test_two_processes_with_half_batches_match_one_process(tmp_path):
    """Two processes with half the batch each give the first-step gradients
    of one process: within the bound that the one-process float32 run's
    own error to a float64 run derives (``numerics``); a change of 1e-3 of
    one gradient entry would fail it."""
    worker = osp.join(REPO, 'tests', 'dist_grad_worker.py')
    runs = {}
    for nproc, dtype in ((1, 'float32'), (2, 'float32'), (1, 'float64')):
        out = str(tmp_path / f'{nproc}_{dtype}.pth')
        proc = torchrun(nproc, worker, out, dtype)
        assert proc.returncode == 0, proc.stderr[-3000:]
        runs[nproc, dtype] = torch.load(out)
    one, two, exact = (runs[1, 'float32'], runs[2, 'float32'],
                       runs[1, 'float64'])
    assert set(one) == set(two) and len(one) > 20
    assert_gradients_close(two, exact, one)
    moved = dict(two)
    name = 'head_medium.0.bias'
    moved[name] = two[name].clone()
    moved[name][0] += 1e-3 * two[name].abs().max()
    with pytest.raises(AssertionError, match=name):
        assert_gradients_close(moved, exact, one)


def dist_train(tmp_path, demo_root, batch, port):
    env = dict(os.environ, C2M_PY=sys.executable, PORT=str(port))
    return subprocess.run(
        ['bash', 'tools/dist_train.sh', DEMO, '2', '--work-dir',
         str(tmp_path), '--cfg-options',
         f'train_dataloader.dataset.data_root={demo_root}/CUFED',
         f'val_dataloader.dataset.data_root={demo_root}/CUFED5',
         'model.extractor.init_cfg=None', f'train_dataloader.batch_size={batch}',
         'train_cfg.max_iters=2', 'train_cfg.val_interval=1000',
         'default_hooks.checkpoint.interval=2'],
        capture_output=True, text=True, cwd=REPO, env=env)


def test_dist_train_splits_the_global_batch_over_cpu_processes(
        tmp_path, demo_root):
    """The config's batch is the global batch, as released: 2 processes
    load 1 sample each of a batch of 2; a batch that does not divide is
    refused by name."""
    proc = dist_train(tmp_path / 'two', demo_root, 2, 29517)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert osp.isfile(tmp_path / 'two' / 'iter_2.pth')
    log = proc.stdout + proc.stderr
    assert 'gloo' in log and 'global batch 2 = 2 processes x 1' in log
    with weights_only_globals():
        config = torch.load(tmp_path / 'two' / 'iter_2.pth',
                            weights_only=True)['meta']['cfg']
    assert "batch_size=1" in config.replace(' ', '')
    proc = dist_train(tmp_path / 'three', demo_root, 3, 29518)
    assert proc.returncode != 0
    assert ('error: train_dataloader.batch_size=3 is the global batch and '
            'does not divide over 2 processes; run [1, 3] processes'
            ) in proc.stderr
    # one line from each rank; torchrun itself then reports the failed ranks
    assert 'tools/train.py", line' not in proc.stderr
