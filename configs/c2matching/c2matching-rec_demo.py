# Stage 3 ("-rec") on the embedded demo data (tools/make_demo_data.py), sized
# to run on a CPU in minutes: a narrower, shallower generator, random-init
# VGG19 (stated in the log), the stage-2 demo student for matching (run
# c2matching-teacher_demo.py and c2matching-student_demo.py first), 300
# iterations of one 96x96 window of a training pair (larger windows than
# several small ones: the matching sees more context), 5x the release's
# learning rate (the offset branches keep the release's ratios to it), decayed
# for the last sixth. The test runs the held-out images with their true
# reference, with another photo's (the ablation) and with several at once.
_base_ = './c2matching-rec_x4c64b16_1xb9-255k_cufed.py'
experiment_name = 'c2matching-rec_demo'
work_dir = f'./work_dirs/{experiment_name}'
demo_root = 'data/demo'

model = dict(
    generator=dict(mid_channels=32, num_blocks=2),
    extractor=dict(
        init_cfg=dict(
            checkpoint='work_dirs/c2matching-student_demo/iter_60.pth')),
    ref_extractor=dict(pretrained=None))

train_dataloader = dict(
    batch_size=1,
    num_workers=0,
    dataset=dict(
        data_root=demo_root + '/CUFED',
        pipeline={{_base_.demo_train_pipeline}}))
val_dataloader = dict(
    num_workers=0, dataset=dict(data_root=demo_root + '/CUFED5'))
# the held-out images with: their true reference; another photo's (the
# ablation); all five of their references at once; their true reference and
# two unrelated ones at once (several references, no retraining)
demo_tests = (
    ('true-ref', '', 'same_name', {{_base_.test_pipeline}}),
    ('unrelated-ref', '../CUFED5_unrelated_pairs.txt', 'same_name',
     {{_base_.test_pipeline}}),
    ('all-5-refs', '', 'all_numbered',
     {{_base_.several_references_test_pipeline}}),
    ('true+2-unrelated-refs', '../CUFED5_true_plus_unrelated_pairs.txt',
     'same_name', {{_base_.several_references_test_pipeline}}),
)
test_dataloader = [
    dict(
        num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(
            type='RefSRDataset',
            metainfo=dict(dataset_type=name, task_name='refsr'),
            data_root=demo_root + '/CUFED5',
            data_prefix=dict(gt='', ref=''),
            filename_tmpl=dict(gt='{}_0', ref='{}_1'),
            ann_file=ann_file,
            ref_protocol=protocol,
            pipeline=pipeline)) for name, ann_file, protocol, pipeline in demo_tests
]
test_evaluator = [
    dict(
        type='Evaluator',
        metrics=[
            dict(type='PSNR', crop_border=4, convert_to='Y', prefix=name),
            dict(type='SSIM', crop_border=4, convert_to='Y', prefix=name),
        ]) for name, _, _, _ in demo_tests
]

optim_wrapper = dict(generator=dict(optimizer=dict(lr=5e-4)))
param_scheduler = dict(generator=[
    dict(type='MultiStepLR', by_epoch=False, milestones=[250], gamma=0.1)
])
train_cfg = dict(max_iters=300, val_interval=300)
default_hooks = dict(
    logger=dict(interval=25),
    checkpoint=dict(interval=300, max_keep_ckpts=1, save_best=None))
randomness = dict(seed=0, deterministic=False)
