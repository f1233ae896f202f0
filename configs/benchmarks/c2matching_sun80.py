# C²-Matching on Sun80 with its published reference protocol.
_base_ = ['../c2matching_cufed.py', '../_base_/datasets/refsr_benchmarks.py']
test_dataloader = {{_base_.sun80}}
test_evaluator = {{_base_.sun80_metrics}}
