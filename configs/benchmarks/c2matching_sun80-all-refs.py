# C²-Matching on Sun80 with one reference (the pair list) and with all of an
# input's references at once (Sun80/ref/NNN_<n>.jpg; the multi-reference
# option, released weights unchanged): two rows, side by side.
_base_ = '../_base_/c2matching_test.py'
experiment_name = 'c2matching_sun80-all-refs'
work_dir = f'./work_dirs/{experiment_name}'
test_dataloader = {{_base_.sun80_single_and_all}}
test_evaluator = {{_base_.sun80_single_and_all_metrics}}
