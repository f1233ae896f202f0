"""What the command-line tools share: help from a docstring, one readable
line for a bad input, the runner's arguments, and the test-time settings
offered as options (their choices from the registries)."""
import argparse
import sys
from typing import Callable, NoReturn, Sequence, Type

from mmengine.config import DictAction

from ..models.editors.c2matching.inference import TestSettings
from ..models.editors.c2matching.patch_matching import (matching_choices,
                                                        matching_help)
from ..models.editors.c2matching.precision import PRECISIONS

PRECISION_CHOICES = sorted(PRECISIONS)

# what a tool reports in one line instead of a traceback
USER_ERRORS = (FileNotFoundError, ValueError, KeyError)


def parser_from_doc(doc: str) -> argparse.ArgumentParser:
    """An argument parser whose help is a tool's docstring: the first line
    as the description, the rest (examples) as the epilog, as written."""
    lines = doc.splitlines()
    return argparse.ArgumentParser(
        description=lines[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(lines[1:]))


def fail(err: BaseException) -> NoReturn:
    """Prints one readable line for ``err`` and exits with status 1."""
    message = err.args[0] if isinstance(err, KeyError) and err.args else err
    print(f'error: {message}', file=sys.stderr)
    sys.exit(1)


def run_tool(main: Callable[[], None],
             errors: Sequence[Type[BaseException]] = USER_ERRORS) -> None:
    """Runs a tool's ``main``; ``errors`` end it with one line (``fail``)."""
    try:
        main()
    except tuple(errors) as err:
        fail(err)


def add_runner_arguments(parser: argparse.ArgumentParser) -> None:
    """``--work-dir``, ``--cfg-options``, ``--launcher``, ``--local-rank``."""
    parser.add_argument('--work-dir', help='where logs and outputs go')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config entries, key=value (see mmengine)')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def add_test_cfg_arguments(parser: argparse.ArgumentParser,
                           tiling: bool = False) -> None:
    """``--precision`` and ``--matching`` (and with ``tiling``, ``--tile``):
    the model's test-time settings, their choices from the registries."""
    parser.add_argument(
        '--precision',
        choices=PRECISION_CHOICES,
        help='fp32 (default) or bf16 autocast for the networks; the matching '
        'and the deformable conv stay fp32 (README: the accuracy measured)')
    parser.add_argument(
        '--matching', choices=matching_choices(),
        help='patch matching: ' + matching_help())
    if tiling:
        parser.add_argument(
            '--tile',
            type=int,
            help='restore in tiles of N LR pixels (N >= 16; the same image, '
            'in less memory); by default only outputs over the model\'s '
            'test_cfg.max_pixels_per_pass are tiled')


def args_test_cfg(args: argparse.Namespace) -> dict:
    """The ``test_cfg`` entries the options of ``add_test_cfg_arguments``
    set, each checked before any work starts (one line naming the
    option)."""
    overrides = {k: getattr(args, k) for k in ('precision', 'matching',
                                                'tile')
                 if getattr(args, k, None) is not None}
    for key, value in overrides.items():
        try:
            TestSettings.from_cfg({key: value})
        except ValueError as err:
            raise ValueError(f'--{key}: {err}') from None
    return overrides
