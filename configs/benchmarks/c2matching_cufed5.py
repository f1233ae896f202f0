# C²-Matching on CUFED5 (level-1 references, the headline number) with the
# release's test protocol and pair list.
_base_ = '../_base_/c2matching_test.py'
experiment_name = 'c2matching_cufed5'
work_dir = f'./work_dirs/{experiment_name}'
test_dataloader = {{_base_.cufed5}}
test_evaluator = {{_base_.cufed5_metrics}}
