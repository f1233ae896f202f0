# C²-Matching-rec: stage 3 with the L1 loss only (paper table: 28.24 / .841
# on CUFED5).
_base_ = [
    '_base_/default_runtime.py', '_base_/models/c2matching-rec_x4c64b16.py',
    '_base_/datasets/cufed.py', '_base_/schedules/c2matching-rec_255k.py'
]
experiment_name = 'c2matching-rec_cufed'
work_dir = f'./work_dirs/{experiment_name}'

# C2Matching has its own train_step (SRGAN's): each trainable part gets its
# own DDP wrapper, as in mmagic's GAN editors.
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel')
