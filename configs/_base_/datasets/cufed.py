# CUFED training (input/ + ref/) and CUFED5 validation/testing (level-1
# references, padded like the release where sizes differ), docs/method.md §5.4, §6.
# Override data_root with
# --cfg-options train_dataloader.dataset.data_root=...
_base_ = './refsr_pipelines.py'
data_root = 'data'

train_dataloader = dict(
    num_workers=4,
    batch_size=9,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='RefSRDataset',
        check='exists',
        metainfo=dict(dataset_type='cufed', task_name='refsr'),
        data_root=data_root + '/CUFED',
        data_prefix=dict(gt='input', ref='ref'),
        pipeline={{_base_.train_pipeline}}))

val_dataloader = dict(
    num_workers=2,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='RefSRDataset',
        metainfo=dict(dataset_type='cufed5', task_name='refsr'),
        data_root=data_root + '/CUFED5',
        data_prefix=dict(gt='', ref=''),
        # level 1, the most similar reference (test_dataloader too)
        filename_tmpl=dict(gt='{}_0', ref='{}_1'),
        pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='Evaluator',
    metrics=[
        dict(type='PSNR', crop_border=4, convert_to='Y', prefix='CUFED5'),
        dict(type='SSIM', crop_border=4, convert_to='Y', prefix='CUFED5'),
    ])
test_evaluator = val_evaluator
