# The documented entry point: C²-Matching (GAN variant), stage 3 on CUFED.
# See c2matching/c2matching-gan_x4c64b16_1xb9-255k_cufed.py.
_base_ = './c2matching/c2matching-gan_x4c64b16_1xb9-255k_cufed.py'
experiment_name = 'c2matching_cufed'
work_dir = f'./work_dirs/{experiment_name}'
