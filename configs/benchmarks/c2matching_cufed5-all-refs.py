# C²-Matching on CUFED5 with one reference (level 1, the release's protocol)
# and with all five references of each input at once (the multi-reference
# option, released weights unchanged): two rows, side by side.
_base_ = '../_base_/c2matching_test.py'
experiment_name = 'c2matching_cufed5-all-refs'
work_dir = f'./work_dirs/{experiment_name}'
test_dataloader = {{_base_.cufed5_single_and_all}}
test_evaluator = {{_base_.cufed5_single_and_all_metrics}}
