"""tools/train.py, tools/test.py and tools/inference.py end to end (CPU)."""
import os
import os.path as osp

import numpy as np
import torch
from PIL import Image

from helpers import REPO, converted_random_release, real_pair, run_tool

DEMO = osp.join(REPO, 'configs', 'c2matching-rec_demo.py')


def test_demo_dataset_layouts(demo_root):
    inputs = sorted(os.listdir(osp.join(demo_root, 'CUFED', 'input')))
    refs = sorted(os.listdir(osp.join(demo_root, 'CUFED', 'ref')))
    assert inputs == refs and len(inputs) >= 20
    gt = np.asarray(Image.open(osp.join(demo_root, 'CUFED', 'input', inputs[0])))
    assert gt.shape == (160, 160, 3) and gt.dtype == np.uint8
    groups = os.listdir(osp.join(demo_root, 'CUFED5'))
    assert {'000_0.png', '000_1.png', '000_5.png'} <= set(groups)


def test_train_two_iterations_then_resume_then_test(demo_root, tmp_path):
    work = str(tmp_path / 'work')
    common = [
        '--work-dir', work, '--cfg-options', f'demo_root={demo_root}',
        f'train_dataloader.dataset.data_root={demo_root}/CUFED',
        f'val_dataloader.dataset.data_root={demo_root}/CUFED5',
        f'test_dataloader.dataset.data_root={demo_root}/CUFED5',
        'train_dataloader.batch_size=1', 'train_cfg.val_interval=100',
        'model.extractor.checkpoint=None',
        'default_hooks.checkpoint.interval=1'
    ]
    proc = run_tool('tools/train.py', DEMO, *common, 'train_cfg.max_iters=2')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert osp.isfile(osp.join(work, 'iter_2.pth'))
    ckpt = torch.load(osp.join(work, 'iter_2.pth'), weights_only=True)
    assert int(ckpt['state_dict']['step_counter']) == 2

    proc = run_tool('tools/train.py', DEMO, *common, 'train_cfg.max_iters=3',
                    '--resume')
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    assert 'resumed' in log.lower()
    ckpt = torch.load(osp.join(work, 'iter_3.pth'), weights_only=True)
    assert ckpt['meta']['iter'] == 3
    assert int(ckpt['state_dict']['step_counter']) == 3

    proc = run_tool('tools/test.py', DEMO, osp.join(work, 'iter_3.pth'),
                    '--work-dir', work, '--cfg-options',
                    f'test_dataloader.dataset.data_root={demo_root}/CUFED5')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'PSNR' in proc.stdout + proc.stderr
    import json
    with open(osp.join(work, 'results.json')) as f:
        table = json.load(f)['results']
    assert set(table) == {'CUFED5'} and 0 < table['CUFED5']['SSIM'] <= 1
    assert '| CUFED5 |' in open(osp.join(work, 'results.md')).read()


def test_inference_tool_writes_sr_png(tmp_path):
    ckpt = converted_random_release(str(tmp_path))
    gt, ref = real_pair((64, 96))
    lr = Image.fromarray(gt).resize((24, 16), Image.BICUBIC)
    lr.save(tmp_path / 'lr.png')
    Image.fromarray(ref[:60, :90]).save(tmp_path / 'ref.png')  # not mod 4
    out = str(tmp_path / 'sr.png')
    proc = run_tool('tools/inference.py',
                    osp.join(REPO, 'configs', 'c2matching_cufed.py'), ckpt,
                    '--img', str(tmp_path / 'lr.png'), '--ref',
                    str(tmp_path / 'ref.png'), '--out', out)
    assert proc.returncode == 0, proc.stderr[-2000:]
    sr = np.asarray(Image.open(out))
    assert sr.shape == (64, 96, 3)
    # the same through the Python API, and --compare writes the panels
    from c2m_mmagic.apis import RefSRRestorer
    api = RefSRRestorer(osp.join(REPO, 'configs', 'c2matching_cufed.py'),
                        ckpt).restore(np.asarray(lr), ref[:60, :90])
    np.testing.assert_array_equal(api, sr)
    Image.fromarray(gt).save(tmp_path / 'gt.png')
    proc = run_tool('tools/inference.py',
                    osp.join(REPO, 'configs', 'c2matching_cufed.py'), ckpt,
                    '--img', str(tmp_path / 'lr.png'), '--ref',
                    str(tmp_path / 'ref.png'), '--out', out, '--compare',
                    str(tmp_path / 'cmp.png'), '--gt', str(tmp_path / 'gt.png'))
    assert proc.returncode == 0, proc.stderr[-2000:]
    panel = np.asarray(Image.open(tmp_path / 'cmp.png'))
    assert panel.shape[0] > 64 and panel.shape[1] >= 4 * 96
    # bad input: a missing reference is named, nothing is written
    proc = run_tool('tools/inference.py',
                    osp.join(REPO, 'configs', 'c2matching_cufed.py'), ckpt,
                    '--img', str(tmp_path / 'lr.png'), '--ref',
                    str(tmp_path / 'nope.png'), '--out',
                    str(tmp_path / 'sr2.png'))
    assert proc.returncode != 0
    assert 'nope.png' in proc.stderr and 'Traceback' not in proc.stderr
    assert not osp.exists(tmp_path / 'sr2.png')


def test_mmagic_inferencer_runs_the_same_config(tmp_path):
    from mmengine.config import Config
    from mmagic.apis.inferencers.image_super_resolution_inferencer import \
        ImageSuperResolutionInferencer
    from c2m_mmagic.apis.restorer import RefSRRestorer
    ckpt = converted_random_release(str(tmp_path))
    gt, ref = real_pair((48, 64))
    Image.fromarray(gt).resize((16, 12), Image.BICUBIC).save(tmp_path / 'lr.png')
    Image.fromarray(ref).save(tmp_path / 'ref.png')
    config = osp.join(REPO, 'configs', 'c2matching_cufed.py')
    inferencer = ImageSuperResolutionInferencer(
        config=Config.fromfile(config), ckpt=ckpt, device='cpu')
    data = inferencer.preprocess(
        img=str(tmp_path / 'lr.png'), ref=str(tmp_path / 'ref.png'))
    preds = inferencer.forward(data)
    result = inferencer.visualize(preds)  # BGR uint8, as mmagic writes
    ours = RefSRRestorer(config, ckpt).restore(
        np.asarray(Image.open(tmp_path / 'lr.png')), ref)
    assert result.shape == ours.shape == (48, 64, 3)
    diff = np.abs(result[..., ::-1].astype(int) - ours.astype(int))
    assert diff.max() <= 1


def test_compare_puts_c2matching_and_ttsr_in_one_table(demo_root, tmp_path):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmagic.registry import MODELS
    init_default_scope('mmagic')
    # C²-Matching: random weights in the released format, converted
    c2m = converted_random_release(str(tmp_path))
    # mmagic's TTSR with random weights (no VGG download)
    import mmagic
    ttsr_cfg = osp.join(osp.dirname(mmagic.__file__), '.mim', 'configs',
                        'ttsr', 'ttsr-rec_x4c64b16_1xb9-200k_CUFED.py')
    cfg = Config.fromfile(ttsr_cfg)
    cfg.model.extractor.load_pretrained_vgg = False
    ttsr = str(tmp_path / 'ttsr.pth')
    torch.save(dict(state_dict=MODELS.build(cfg.model).state_dict()), ttsr)

    out_dir = str(tmp_path / 'compare')
    proc = run_tool(
        'tools/compare.py', '--data-root', osp.join(demo_root, 'CUFED5'),
        '--out-dir', out_dir, '--model', 'C2-Matching',
        osp.join(REPO, 'configs', 'c2matching_cufed.py'), c2m, '--model',
        'TTSR', 'mmagic::ttsr/ttsr-rec_x4c64b16_1xb9-200k_CUFED.py', ttsr,
        'model.extractor.load_pretrained_vgg=False')
    assert proc.returncode == 0, proc.stderr[-3000:]
    import json
    with open(osp.join(out_dir, 'compare.json')) as f:
        results = json.load(f)['results']
    assert set(results) == {'C2-Matching', 'TTSR'}
    for row in results.values():
        assert 5 < row['PSNR'] < 60 and 0 < row['SSIM'] <= 1
    md = open(osp.join(out_dir, 'compare.md')).read()
    assert '| C2-Matching |' in md and '| TTSR |' in md


def test_demo_chain_in_reduced_form(demo_root, tmp_path):
    """Stage 1 -> 2 -> 3 -> test on the demo data, two iterations each."""
    work = {s: str(tmp_path / s) for s in ('teacher', 'student', 'rec')}
    data = [f'train_dataloader.dataset.data_root={demo_root}/CUFED',
            f'val_dataloader.dataset.data_root={demo_root}/CUFED5',
            'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
            'default_hooks.checkpoint.interval=2']
    proc = run_tool('tools/train.py',
                    osp.join(REPO, 'configs', 'c2matching-teacher_demo.py'),
                    '--work-dir', work['teacher'], '--cfg-options', *data,
                    'train_dataloader.batch_size=2')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'match/acc@1' in proc.stdout + proc.stderr
    proc = run_tool('tools/train.py',
                    osp.join(REPO, 'configs', 'c2matching-student_demo.py'),
                    '--work-dir', work['student'], '--cfg-options', *data,
                    'train_dataloader.batch_size=2',
                    f"model.teacher.checkpoint={work['teacher']}/iter_2.pth")
    assert proc.returncode == 0, proc.stderr[-3000:]
    proc = run_tool('tools/train.py',
                    osp.join(REPO, 'configs', 'c2matching-rec_demo.py'),
                    '--work-dir', work['rec'], '--cfg-options', *data,
                    'train_dataloader.batch_size=1',
                    f"model.extractor.checkpoint={work['student']}/iter_2.pth")
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    assert 'random initialisation' in log  # random-init VGG is stated
    proc = run_tool('tools/test.py',
                    osp.join(REPO, 'configs', 'c2matching-rec_demo.py'),
                    osp.join(work['rec'], 'iter_2.pth'), '--work-dir',
                    work['rec'], '--cfg-options',
                    f'test_dataloader.dataset.data_root={demo_root}/CUFED5')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert osp.isfile(osp.join(work['rec'], 'results.md'))
    images = os.listdir(osp.join(work['rec'], 'comparisons'))
    assert len(images) == 5 and '000_0__000_1.png' in images


def test_enable_amp_switches_every_optimizer_wrapper():
    from mmengine.config import Config
    from c2m_mmagic.apis.cli import enable_amp
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'c2matching_cufed.py'))
    enable_amp(cfg)
    for name in ('generator', 'discriminator'):
        assert cfg.optim_wrapper[name].type == 'AmpOptimWrapper'
        assert cfg.optim_wrapper[name].loss_scale == 'dynamic'
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'c2matching-teacher_1xb8-5k_cufed.py'))
    enable_amp(cfg)
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
