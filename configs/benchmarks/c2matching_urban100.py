# C²-Matching on Urban100 with its published reference protocol.
_base_ = ['../c2matching_cufed.py', '../_base_/datasets/refsr_benchmarks.py']
test_dataloader = {{_base_.urban100}}
test_evaluator = {{_base_.urban100_metrics}}
