# C²-Matching on CUFED5 with each of the five reference levels in one test,
# one results row each.
_base_ = '../_base_/c2matching_test.py'
experiment_name = 'c2matching_cufed5-all-levels'
work_dir = f'./work_dirs/{experiment_name}'
test_dataloader = {{_base_.cufed5_levels}}
test_evaluator = {{_base_.cufed5_level_metrics}}
