# C²-Matching-rec: stage 3 with the L1 loss only (docs/method.md §5; paper table
# 28.24 / .841 on CUFED5). Batch 9 is the global batch (split over the
# processes of a distributed run).
_base_ = [
    '../_base_/default_runtime.py', '../_base_/models/c2matching-rec_x4c64b16.py',
    '../_base_/datasets/cufed.py', '../_base_/schedules/c2matching_255k.py'
]
experiment_name = 'c2matching-rec_x4c64b16_1xb9-255k_cufed'
work_dir = f'./work_dirs/{experiment_name}'

default_hooks = dict(
    checkpoint=dict(interval=5000, save_best='CUFED5/PSNR', rule='greater'))
custom_hooks = [
    dict(type='ResultsTableHook'),
    dict(type='RefSRVisualizationHook')
]
# C2Matching has its own train_step (SRGAN's): each trainable part gets its
# own DDP wrapper, as in mmagic's GAN editors.
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel')
