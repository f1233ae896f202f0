"""The quick start's demo run in one process: the embedded demo data, the
three training stages, the test of the held-out images and the summary, with
each step's time and an estimate of what is left.

One process imports mmagic once (about 8 s on 2 cores, which six separate
tools would pay six times); each step runs the code its tool runs
(c2m_mmagic.apis), and each stage starts from the checkpoint the previous
one wrote.

Examples:
    python tools/quickstart.py
    python tools/quickstart.py --max-iters 2 --work-dirs /tmp/w --data /tmp/d
"""
import time

STARTED = time.perf_counter()
from c2m_mmagic.apis import parser_from_doc, run_tool  # noqa: E402
from c2m_mmagic.apis.demo_run import DemoRun, duration, run  # noqa: E402


def main() -> None:
    parser = parser_from_doc(__doc__)
    parser.add_argument('--work-dirs', default='work_dirs')
    parser.add_argument('--data', default='data/demo')
    parser.add_argument(
        '--max-iters',
        type=int,
        help='shorten every training stage to this many iterations')
    args = parser.parse_args()
    if args.max_iters is not None and args.max_iters < 1:
        raise ValueError(f'--max-iters must be >= 1, got {args.max_iters}')
    loaded = time.perf_counter() - STARTED
    print(f'[quickstart] mmagic and the plugin loaded in {duration(loaded)}',
          flush=True)
    took = loaded + run(
        DemoRun(args.work_dirs, args.data, args.max_iters).steps())
    print(f'[quickstart] demo run took {duration(took)} ({took:.0f} s)')


if __name__ == '__main__':
    run_tool(main)
