# Stage 3 ("-rec") on the embedded demo data (tools/make_demo_data.py), sized
# to run on a CPU in minutes: a narrower, shallower generator, random-init
# VGG19 (stated in the log), and the stage-2 demo student for matching (run
# c2matching-teacher_demo.py and c2matching-student_demo.py first).
_base_ = './c2matching-rec_x4c64b16_1xb9-255k_cufed.py'
experiment_name = 'c2matching-rec_demo'
work_dir = f'./work_dirs/{experiment_name}'
demo_root = 'data/demo'

model = dict(
    generator=dict(mid_channels=32, num_blocks=2),
    extractor=dict(
        init_cfg=dict(
            checkpoint='work_dirs/c2matching-student_demo/iter_20.pth')),
    ref_extractor=dict(pretrained=None))

train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    dataset=dict(
        data_root=demo_root + '/CUFED',
        pipeline={{_base_.demo_train_pipeline}}))
val_dataloader = dict(
    num_workers=0, dataset=dict(data_root=demo_root + '/CUFED5'))
test_dataloader = val_dataloader

train_cfg = dict(max_iters=60, val_interval=30)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=30, max_keep_ckpts=2))
randomness = dict(seed=0, deterministic=False)
