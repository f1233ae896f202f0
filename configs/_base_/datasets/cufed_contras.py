# Stages 1 and 2: CUFED training inputs only, resized to 160x160, flipped and
# transposed, then a random homography makes the reference (docs/method.md §3).
# Validation: CUFED5 inputs with fixed (seeded) homographies.
_base_ = './refsr_pipelines.py'
data_root = 'data'

train_dataloader = dict(
    num_workers=4,
    batch_size=8,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(dataset_type='cufed', task_name='refsr'),
        data_root=data_root + '/CUFED',
        data_prefix=dict(gt='input'),
        pipeline={{_base_.contras_train_pipeline}}))

val_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(dataset_type='cufed5', task_name='refsr'),
        data_root=data_root + '/CUFED5',
        data_prefix=dict(gt=''),
        filename_tmpl=dict(gt='{}_0'),
        pipeline={{_base_.contras_val_pipeline}}))
val_evaluator = dict(type='Evaluator', metrics=[dict(type='MatchingAccuracy')])
val_cfg = dict(type='MultiValLoop')
