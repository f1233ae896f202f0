"""What a test iteration is about: its data set and evaluator.

Works with mmengine's ``TestLoop`` and mmagic's ``MultiTestLoop`` (several
data sets, one evaluator each, run one after the other).
"""


def current_evaluator(runner):
    """The evaluator of the data set being tested."""
    return runner.test_loop.evaluator


def current_dataset_name(runner) -> str:
    """The name the results carry: its metrics' prefix (e.g. 'CUFED5-L1'),
    else the data set's ``dataset_type``, else 'test'."""
    for metric in current_evaluator(runner).metrics:
        if getattr(metric, 'prefix', None):
            return metric.prefix
    dataset = runner.test_loop.dataloader.dataset
    return getattr(dataset, 'metainfo', {}).get('dataset_type') or 'test'


def several_datasets(runner) -> bool:
    """Whether this test runs more than one data set."""
    return len(getattr(runner.test_loop, 'dataloaders', None) or []) > 1
