# Stage 3 ("-rec") on the embedded demo data (tools/make_demo_data.py), sized
# to run on a CPU in minutes: a narrower, shallower generator, random-init
# VGG19 (stated in the log), and the stage-2 demo student for matching (run
# configs/c2matching-teacher_demo.py and c2matching-student_demo.py first).
_base_ = './c2matching-rec_cufed.py'
experiment_name = 'c2matching-rec_demo'
work_dir = f'./work_dirs/{experiment_name}'
demo_root = 'data/demo'

model = dict(
    generator=dict(mid_channels=32, num_blocks=2),
    extractor=dict(
        checkpoint='work_dirs/c2matching-student_demo/iter_20.pth'),
    ref_extractor=dict(pretrained=None))

# CPU-sized training pairs: the 160x160 demo pairs shrunk to 64x64 (deformable
# convolution dominates and scales with the pixel count).
train_size = 64
train_pipeline = [
    dict(type='LoadImageFromFile', key='gt', channel_order='rgb',
         imdecode_backend='pillow'),
    dict(type='LoadImageFromFile', key='ref', channel_order='rgb',
         imdecode_backend='pillow'),
    dict(type='SetValues', dictionary=dict(scale=4)),
    dict(type='Resize', scale=(train_size, train_size), keep_ratio=False,
         keys=['gt', 'ref'], interpolation='bicubic', backend='pillow'),
    dict(type='Flip', keys=['gt', 'ref'], flip_ratio=0.5,
         direction='horizontal'),
    dict(type='Flip', keys=['gt', 'ref'], flip_ratio=0.5,
         direction='vertical'),
    dict(type='RandomTransposeHW', keys=['gt', 'ref'], transpose_ratio=0.5),
    dict(type='Resize', scale=1 / 4, keep_ratio=True, keys=['gt'],
         output_keys=['img'], interpolation='bicubic', backend='pillow'),
    dict(type='Resize', scale=4., keep_ratio=True, keys=['img'],
         output_keys=['img_lq'], interpolation='bicubic', backend='pillow'),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    dataset=dict(data_root=demo_root + '/CUFED', pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=0, dataset=dict(data_root=demo_root + '/CUFED5'))
test_dataloader = val_dataloader

train_cfg = dict(max_iters=60, val_interval=30)
param_scheduler = dict(milestones=[40, 50])
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=30, max_keep_ckpts=2))
randomness = dict(seed=0, deterministic=False)
