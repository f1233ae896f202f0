"""The quick start's demo run in one process: the embedded demo data, the
three training stages, the test of the held-out images and the summary, each
step timed with an estimate of what is left (``tools/quickstart.py``).

One process imports mmagic once (about 8 s on 2 cores, which separate tools
would pay each time); each stage starts from the checkpoint the previous one
wrote.
"""
import os.path as osp
import time
from typing import Callable, List, NamedTuple, Optional

from .demo_report import report
from .model_configs import CONFIGS
from .runs import runner_config, test, train

DEMO_CONFIGS = osp.join(CONFIGS, 'c2matching')
STAGES = ('teacher', 'student', 'rec')
# the option of each stage naming the previous stage's checkpoint
PREVIOUS_CHECKPOINT = dict(
    student='model.teacher.init_cfg.checkpoint',
    rec='model.extractor.init_cfg.checkpoint')


class Step(NamedTuple):
    """One step of the demo run.

    Attributes:
        name (str): What the log calls it.
        seconds (float): Its time on the first machine of README's table
            (AMD EPYC, 2 cores, AVX2); the estimates scale these by the pace
            measured so far.
        run (callable): Does it.
    """
    name: str
    seconds: float
    run: Callable[[], None]


class DemoRun:
    """The steps of the demo run, writing under ``work_dirs``.

    Args:
        work_dirs (str): Holds one work dir per stage and the summary.
        data (str): The demo data folder (written if missing).
        max_iters (int, optional): Shortens every training stage (a smoke
            run); None keeps the configs' schedules.
    """

    def __init__(self, work_dirs: str, data: str,
                 max_iters: Optional[int]) -> None:
        self.work_dirs, self.data, self.max_iters = work_dirs, data, max_iters
        self.checkpoints = {}

    def work_dir(self, stage: str) -> str:
        return osp.join(self.work_dirs, f'c2matching-{stage}_demo')

    def config(self, stage: str, options: dict):
        """The stage's demo config on this run's data and work dir."""
        config = osp.join(DEMO_CONFIGS, f'c2matching-{stage}_demo.py')
        options = {
            'train_dataloader.dataset.data_root': f'{self.data}/CUFED',
            'val_dataloader.dataset.data_root': f'{self.data}/CUFED5',
            **options
        }
        if self.max_iters:
            options.update({
                'train_cfg.max_iters': self.max_iters,
                'train_cfg.val_interval': self.max_iters,
                'default_hooks.checkpoint.interval': self.max_iters,
            })
        cfg = runner_config(config, options, work_dir=self.work_dir(stage))
        for loader in cfg.get('test_dataloader') or []:
            loader.dataset.data_root = f'{self.data}/CUFED5'
        return cfg

    def make_data(self) -> None:
        from c2m_mmagic.datasets import make_demo_dataset
        make_demo_dataset(self.data)

    def train(self, stage: str) -> None:
        options = {}
        if stage in PREVIOUS_CHECKPOINT:
            previous = STAGES[STAGES.index(stage) - 1]
            options[PREVIOUS_CHECKPOINT[stage]] = self.checkpoints[previous]
        train(self.config(stage, options))
        with open(osp.join(self.work_dir(stage), 'last_checkpoint')) as f:
            self.checkpoints[stage] = f.read().strip()

    def test(self) -> None:
        test(self.config('rec', {
            PREVIOUS_CHECKPOINT['rec']: self.checkpoints['student']
        }), self.checkpoints['rec'], save_sr=osp.join(
            self.work_dir('rec'), 'sr'))

    def summarise(self) -> None:
        report(self.work_dirs, self.data, osp.join(self.work_dir('rec'),
                                                   'sr'),
               osp.join(self.work_dirs, 'quickstart'))

    def steps(self) -> List[Step]:
        return [
            Step('demo data', 2, self.make_data),
            Step('stage 1, contrastive teacher', 16,
                 lambda: self.train('teacher')),
            Step('stage 2, distilled student', 43,
                 lambda: self.train('student')),
            Step('stage 3, restoration', 153, lambda: self.train('rec')),
            Step('test of the held-out images', 18, self.test),
            Step('summary', 1, self.summarise),
        ]


def duration(seconds: float) -> str:
    """'3 min 05 s' or '42 s'."""
    seconds = int(round(seconds))
    return f'{seconds // 60} min {seconds % 60:02d} s' if seconds >= 60 \
        else f'{seconds} s'


def run(steps: List[Step]) -> float:
    """Runs the steps, printing each one's time and what is left; returns
    the seconds they took."""
    start = time.perf_counter()
    expected_total = sum(s.seconds for s in steps)
    expected_done = 0.
    print(f'[quickstart] {len(steps)} steps, {duration(expected_total)} on '
          'the machine README names first', flush=True)
    for number, step in enumerate(steps, 1):
        print(f'[quickstart] step {number}/{len(steps)}: {step.name}',
              flush=True)
        step_start = time.perf_counter()
        step.run()
        now = time.perf_counter()
        expected_done += step.seconds
        # this machine's pace so far, applied to what is left
        left = (now - start) / expected_done * (expected_total -
                                                expected_done)
        print(f'[quickstart] step {number}/{len(steps)}: {step.name} took '
              f'{duration(now - step_start)}; {duration(now - start)} so '
              'far' + (f', about {duration(left)} left' if round(left) else ''),
              flush=True)
    return time.perf_counter() - start
