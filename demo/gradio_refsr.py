"""C²-Matching in the browser: your photo and your references in, the result
beside bicubic (a Gradio app, as mmagic ships its demos).

Upload a low-resolution photo, or a high-resolution one with "make the LR
for me" (it is shrunk ×4 with bicubic, and the original scores both
results), and one or more references of related content. The page shows
bicubic and C²-Matching side by side, their Y-PSNR when the truth is known,
the time it took, the tiling in force for large photos, and the SR PNG to
download. Without CONFIG and CKPT it serves the demo model the quick start
trained (work_dirs/c2matching-rec_demo/).

Setup (once): bash tools/install.sh --demo

Examples:
    python demo/gradio_refsr.py
    python demo/gradio_refsr.py configs/c2matching_cufed.py \\
        checkpoints/c2matching_cufed.pth --device cuda --port 7860
"""
import argparse
import logging
import os
import os.path as osp
import sys
import tempfile
import time
from typing import List, Optional, Tuple

import numpy as np
from PIL import Image

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))

DEMO_CONFIG = osp.join(REPO, 'configs', 'c2matching',
                       'c2matching-rec_demo.py')
DEMO_WORK_DIR = osp.join(REPO, 'work_dirs', 'c2matching-rec_demo')


def demo_checkpoint() -> Optional[str]:
    """The checkpoint the quick start's stage 3 wrote last, if any."""
    last = osp.join(DEMO_WORK_DIR, 'last_checkpoint')
    if not osp.isfile(last):
        return None
    with open(last) as f:
        path = f.read().strip()
    return path if osp.isabs(path) else osp.join(REPO, path)


class RefSRDemo:
    """What the page does, apart from the page.

    Args:
        config (str): Model config.
        checkpoint (str, optional): Its weights; a missing file is reported
            on the page (nothing can be restored then).
        device (str): 'cpu' or 'cuda'.
        out_dir (str, optional): Where the SR PNGs to download go.
        test_cfg (dict, optional): Overrides of the model's ``test_cfg``
            (``tile``, ``max_pixels_per_pass``, ``max_ref_pixels``).
    """

    def __init__(self,
                 config: str,
                 checkpoint: Optional[str],
                 device: str = 'cpu',
                 out_dir: Optional[str] = None,
                 test_cfg: Optional[dict] = None) -> None:
        self.config, self.checkpoint, self.device = config, checkpoint, device
        self.out_dir = out_dir or tempfile.mkdtemp(prefix='c2m_gradio_')
        self.inferencer = None
        self.problem = None
        if not checkpoint or not osp.isfile(checkpoint):
            self.problem = (
                f'no checkpoint at {checkpoint}: run `bash tools/quickstart.sh`'
                ' for the demo model, or start this page with CONFIG CKPT'
                if checkpoint else 'no checkpoint: the quick start has not '
                'trained the demo model yet (run `bash tools/quickstart.sh`),'
                ' or start this page with CONFIG CKPT')
            return
        from c2m_mmagic.apis import RefSRInferencer
        from c2m_mmagic.utils import weights_only_globals
        try:
            with weights_only_globals():
                self.inferencer = RefSRInferencer(
                    config, checkpoint, device,
                    test_cfg=dict(tile_progress=True, **(test_cfg or {})))
        except (FileNotFoundError, ValueError, KeyError, OSError) as err:
            self.problem = f'the model could not be loaded: {err}'

    def model_line(self) -> str:
        """Which model the page serves, in one line of Markdown."""
        demo = '' if self.config != DEMO_CONFIG else (
            ' — the demo model the quick start trained on the embedded '
            'photos (a short CPU run: expect modest gains; give the released'
            ' weights for real ones)')
        checkpoint = osp.relpath(self.checkpoint, REPO) if self.checkpoint \
            and self.checkpoint.startswith(REPO) else self.checkpoint
        return (f'**Model:** `{osp.relpath(self.config, REPO)}`, checkpoint '
                f'`{checkpoint}` on {self.device}{demo}.')

    def restore(self, image: Optional[str], refs: Optional[List],
                is_hr: bool, progress=None):
        """The page's action.

        Args:
            image (str): Path of the uploaded photo.
            refs (list): Uploaded reference files (paths or file objects).
            is_hr (bool): The photo is high-resolution: make its ×4 LR.
            progress (callable, optional): Gradio's progress.

        Returns:
            tuple: bicubic and SR (uint8 RGB or None), the SR PNG's path (or
            None) and a Markdown status.
        """
        start = time.perf_counter()
        try:
            return self._restore(image, refs, is_hr, progress, start)
        except (FileNotFoundError, ValueError, KeyError, OSError) as err:
            return None, None, None, f'**Error:** {err}'
        except Exception as err:  # the page keeps serving; the log has it
            logging.getLogger(__name__).exception('restoration failed')
            return None, None, None, (f'**Error:** {type(err).__name__}: '
                                      f'{err}')

    def _restore(self, image, refs, is_hr, progress, start):
        from c2m_mmagic.apis import (MIN_INPUT_SIDE, MIN_REFERENCE_SIDE,
                                     UPSCALE, check_image)
        from c2m_mmagic.structures import rgb_image
        from c2m_mmagic.evaluation import y_psnr
        if self.inferencer is None:
            raise ValueError(self.problem)
        if not image:
            raise ValueError('upload a photo to restore')
        image = getattr(image, 'name', image)
        refs = [getattr(r, 'name', r) for r in refs or []]
        if not refs:
            raise ValueError('upload at least one reference')
        if progress:
            progress(0.05, desc='reading the images')
        check_image(image, f'photo {osp.basename(image)}')
        for path in refs:
            check_image(path, f'reference {osp.basename(path)}',
                        MIN_REFERENCE_SIDE, mod=UPSCALE)
        gt, lr_path = None, image
        if is_hr:
            gt, lr_path = self.make_lr(image)
        width, height = check_image(lr_path,
                                    f'LR photo {osp.basename(image)}',
                                    MIN_INPUT_SIDE)
        budget = self.inferencer.tiling_line(height, width)
        if progress:
            progress(0.2, desc='matching and restoring')
        sample = self.inferencer.predict(lr_path, refs)
        sr = rgb_image(sample.output.pred_img, bgr=True)
        bicubic = rgb_image(sample.img_lq,
                            bgr=False)[:sr.shape[0], :sr.shape[1]]
        png = osp.join(self.out_dir,
                       f'{osp.splitext(osp.basename(image))[0]}_x4_'
                       f'{int(time.time() * 1000)}.png')
        Image.fromarray(sr).save(png)
        lines = [f'Done in {time.perf_counter() - start:.1f} s with '
                 f'{len(refs)} reference{"s" if len(refs) > 1 else ""}. '
                 + budget]
        if gt is not None:
            lines.append(
                f'Y-PSNR against your photo: bicubic '
                f'{y_psnr(bicubic, gt):.2f} dB, C²-Matching '
                f'{y_psnr(sr, gt):.2f} dB.')
        return bicubic, sr, png, '\n\n'.join(lines)

    def make_lr(self, image: str) -> Tuple[np.ndarray, str]:
        """The photo cropped to multiples of 4 (the truth) and its ×4 PIL
        bicubic shrink, written as a PNG (the input)."""
        from c2m_mmagic.apis import MIN_REFERENCE_SIDE
        import mmcv
        hr = mmcv.imread(image, channel_order='rgb')
        h, w = hr.shape[0] // 4 * 4, hr.shape[1] // 4 * 4
        if min(h, w) < MIN_REFERENCE_SIDE:
            raise ValueError(
                f'photo: {hr.shape[1]}x{hr.shape[0]} pixels is too small to '
                f'shrink x4 for 3x3 feature patches (at least '
                f'{MIN_REFERENCE_SIDE}x{MIN_REFERENCE_SIDE})')
        gt = np.ascontiguousarray(hr[:h, :w])
        lr = Image.fromarray(gt).resize((w // 4, h // 4), Image.BICUBIC)
        path = osp.join(self.out_dir, f'lr_{int(time.time() * 1000)}.png')
        lr.save(path)
        return gt, path


def build_page(demo: RefSRDemo):
    """The Gradio page."""
    import gradio as gr

    def run(image, refs, is_hr, progress=gr.Progress(track_tqdm=True)):
        return demo.restore(image, refs, is_hr, progress)

    with gr.Blocks(title='C²-Matching reference-based super-resolution') \
            as page:
        gr.Markdown(
            '# C²-Matching: reference-based ×4 super-resolution\n'
            'A photo is restored with the texture of one or more references '
            'of related content (Jiang et al., CVPR 2021, in mmagic).\n\n' +
            demo.model_line() +
            (f'\n\n**Not ready:** {demo.problem}' if demo.problem else ''))
        with gr.Row():
            with gr.Column():
                # files, not gr.Image, and any type: what is not an image
                # gets this page's one line naming it, not Gradio's refusal
                image = gr.File(label='Photo to restore', elem_id='photo')
                is_hr = gr.Checkbox(
                    label='This is a high-resolution photo: make the ×4 '
                    'low-resolution input for me (bicubic) and score against '
                    'it', value=False, elem_id='is_hr')
                refs = gr.File(file_count='multiple',
                               label='References (one or more)',
                               elem_id='refs')
                button = gr.Button('Restore', variant='primary',
                                   elem_id='restore')
            with gr.Column():
                status = gr.Markdown(elem_id='status')
                with gr.Row():
                    bicubic = gr.Image(label='Bicubic', type='numpy',
                                       elem_id='bicubic', format='png')
                    sr = gr.Image(label='C²-Matching', type='numpy',
                                  elem_id='sr', format='png')
                download = gr.File(label='SR PNG', elem_id='download')
        button.click(run, [image, refs, is_hr],
                     [bicubic, sr, download, status])
    return page


def parse_args() -> argparse.Namespace:
    from c2m_mmagic.apis import parser_from_doc
    parser = parser_from_doc(__doc__)
    parser.add_argument('config', nargs='?', help='model config (default: '
                        'the quick start\'s demo model)')
    parser.add_argument('checkpoint', nargs='?', help='its checkpoint')
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument('--port', type=int, default=7860)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--tile', type=int, help='restore in tiles of N LR '
                        'pixels (default: when the output is over the '
                        "model's max_pixels_per_pass)")
    parser.add_argument('--max-ref-pixels', type=int, help='largest '
                        'reference accepted, height x width (default: the '
                        "model's test_cfg)")
    args = parser.parse_args()
    if (args.config is None) != (args.checkpoint is None):
        parser.error('give CONFIG and CKPT together, or neither (the demo '
                     'model)')
    return args


def main() -> None:
    args = parse_args()
    try:
        import gradio  # noqa: F401
    except ImportError:
        sys.exit('error: gradio is not installed: run bash tools/install.sh '
                 '--demo (or pip install -e ".[demo]")')
    import c2m_mmagic  # noqa: F401  (first: numpy 2 names for mmagic)
    config = args.config or DEMO_CONFIG
    checkpoint = args.checkpoint or demo_checkpoint()
    if not osp.isfile(config):
        sys.exit(f'error: config file not found: {config}')
    test_cfg = {k: v for k, v in (('tile', args.tile), ('max_ref_pixels',
                                                         args.max_ref_pixels))
                if v is not None}
    demo = RefSRDemo(config, checkpoint, args.device, test_cfg=test_cfg)
    if demo.problem:
        print(f'[gradio_refsr] {demo.problem}', file=sys.stderr)
    build_page(demo).queue().launch(server_name=args.host,
                                    server_port=args.port,
                                    allowed_paths=[demo.out_dir])


if __name__ == '__main__':
    os.environ.setdefault('GRADIO_ANALYTICS_ENABLED', 'False')
    main()
