# Short name of c2matching/c2matching-rec_x4c64b16_1xb9-255k_cufed.py.
_base_ = './c2matching/c2matching-rec_x4c64b16_1xb9-255k_cufed.py'
experiment_name = 'c2matching-rec_cufed'
work_dir = f'./work_dirs/{experiment_name}'
