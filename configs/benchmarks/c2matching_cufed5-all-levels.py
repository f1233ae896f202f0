# C²-Matching on CUFED5 with each of the five reference levels in one test.
_base_ = ['../c2matching_cufed.py', '../_base_/datasets/refsr_benchmarks.py']
test_dataloader = {{_base_.cufed5_levels}}
test_evaluator = {{_base_.cufed5_level_metrics}}
