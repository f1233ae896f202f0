"""The web demo (demo/gradio_refsr.py): what the page does gives
tools/inference.py's image and one readable line for bad input; the page itself,
served and driven in headless Chromium, shows that image and keeps serving
after an error."""
import importlib
import os
import os.path as osp
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest
from PIL import Image

from helpers import REPO, converted_random_release, real_pair, run_tool

sys.path.insert(0, osp.join(REPO, 'demo'))
import gradio_refsr  # noqa: E402

CONFIG = osp.join(REPO, 'configs', 'c2matching_cufed.py')
# CI sets it: a missing browser or package fails instead of skipping
REQUIRED = os.environ.get('C2M_REQUIRE_BROWSER') == '1'


def needed(what: str, found):
    if not found:
        message = f'{what} not available (bash tools/install.sh --demo)'
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    return found


def module(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return needed(name, None)


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    """The stereo pair: the left view as the high-resolution photo and its
    ×4 PIL-bicubic shrink, the right view as the reference, a text file."""
    folder = tmp_path_factory.mktemp('pair')
    gt, ref = real_pair((96, 128))
    paths = {k: str(folder / f'{k}.png') for k in ('photo', 'lr', 'ref')}
    Image.fromarray(gt).save(paths['photo'])
    Image.fromarray(gt).resize((32, 24), Image.BICUBIC).save(paths['lr'])
    Image.fromarray(ref).save(paths['ref'])
    paths['text'] = str(folder / 'notes.txt')
    with open(paths['text'], 'w') as f:
        f.write('not an image\n')
    paths['tiny'] = str(folder / 'tiny.png')
    Image.fromarray(gt[:2, :2]).save(paths['tiny'])
    return paths


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    return converted_random_release(str(tmp_path_factory.mktemp('ckpt')))


@pytest.fixture(scope='module')
def expected(files, checkpoint, tmp_path_factory):
    """What tools/inference.py writes for the pair."""
    out = str(tmp_path_factory.mktemp('cli') / 'sr.png')
    proc = run_tool('tools/inference.py', CONFIG, checkpoint, '--img',
                    files['lr'], '--ref', files['ref'], '--out', out)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return np.asarray(Image.open(out))


def test_the_page_action_gives_the_inferencers_image(files, checkpoint,
                                                       expected, tmp_path):
    demo = gradio_refsr.RefSRDemo(CONFIG, checkpoint, out_dir=str(tmp_path))
    bicubic, sr, png, status = demo.restore(files['photo'], [files['ref']],
                                            True)
    np.testing.assert_array_equal(sr, expected)
    np.testing.assert_array_equal(np.asarray(Image.open(png)), expected)
    assert bicubic.shape == sr.shape == (96, 128, 3)
    assert status.startswith('Done in') and 'one pass' in status
    from c2m_mmagic.evaluation import y_psnr
    gt = np.asarray(Image.open(files['photo']))
    assert (f'bicubic {y_psnr(bicubic, gt):.2f} dB, C²-Matching '
            f'{y_psnr(sr, gt):.2f} dB') in status


def test_tiling_in_force_is_stated(files, checkpoint, expected, tmp_path):
    demo = gradio_refsr.RefSRDemo(CONFIG, checkpoint, out_dir=str(tmp_path),
                                  test_cfg=dict(tile=16))
    _, sr, _, status = demo.restore(files['lr'], [files['ref']], False)
    assert 'restored in tiles of 16 LR pixels (test_cfg.tile)' in status
    assert float(np.abs(sr.astype(int) - expected).max()) <= 1


@pytest.mark.parametrize('case, message', [
    ('text', 'photo notes.txt: cannot read image'),
    ('tiny', 'LR photo tiny.png: image of 2x2 pixels is too small'),
    ('text_ref', 'reference notes.txt: cannot read image'),
    ('no_ref', 'upload at least one reference'),
    ('big_ref', 'more than the budget of 1000 '
     '(model.test_cfg.max_ref_pixels)'),
])
def test_bad_input_gets_one_line(files, checkpoint, tmp_path, case, message):
    demo = gradio_refsr.RefSRDemo(CONFIG, checkpoint, out_dir=str(tmp_path),
                                  test_cfg=dict(max_ref_pixels=1000))
    photo = {'text': files['text'], 'tiny': files['tiny']}.get(case,
                                                               files['lr'])
    refs = {'text_ref': [files['text']], 'no_ref': []}.get(case,
                                                          [files['ref']])
    result = demo.restore(photo, refs, False)
    assert result[:3] == (None, None, None)
    assert result[3].startswith('**Error:** ') and message in result[3]
    assert '\n' not in result[3] and 'Traceback' not in result[3]


def test_a_missing_checkpoint_is_said_on_the_page(tmp_path, files):
    missing = str(tmp_path / 'nothing.pth')
    demo = gradio_refsr.RefSRDemo(CONFIG, missing)
    assert demo.inferencer is None
    status = demo.restore(files['lr'], [files['ref']], False)[3]
    assert f'no checkpoint at {missing}' in status


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='module')
def server(checkpoint, tmp_path_factory):
    """demo/gradio_refsr.py serving the checkpoint on a free local port."""
    module('gradio')
    port = free_port()
    log = tmp_path_factory.mktemp('server') / 'server.log'
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED='False')
    with open(log, 'w') as out:
        proc = subprocess.Popen(
            [sys.executable, osp.join(REPO, 'demo', 'gradio_refsr.py'),
             CONFIG, checkpoint, '--port', str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO)
    url = f'http://127.0.0.1:{port}/'
    deadline = time.time() + 240
    while True:
        try:
            urllib.request.urlopen(url, timeout=5)
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail(f'the demo did not serve {url}:\n'
                            f'{log.read_text()[-3000:]}')
            time.sleep(1)
    yield url
    proc.terminate()
    proc.wait(30)


def chromium_binary():
    return os.environ.get('C2M_CHROMIUM') or shutil.which(
        'chromium') or shutil.which('chromium-browser')


def uploaded(page, elem: str, paths) -> None:
    """Waits until the file component ``elem`` holds every file of
    ``paths``: the upload is done when the component's value has the file's
    server URL, which Gradio shows as a download link named after the
    file (before, the row says "uploading"). Not the row's text: Gradio
    renders a name's stem and extension in separate elements."""
    sync_api = module('playwright.sync_api')
    for path in paths:
        name = osp.basename(path)
        link = page.locator(f'#{elem} a[download="{name}"]')
        sync_api.expect(link).to_have_count(1, timeout=60000)
        sync_api.expect(link).to_have_attribute(
            'href', re.compile(re.escape('/' + name) + '$'))


def test_the_page_in_a_browser(server, files, expected, tmp_path):
    """Upload the stereo pair, restore, read the images the page shows;
    a text file first: the page says so and serves the next request."""
    sync_api = module('playwright.sync_api')
    browser_path = needed('chromium (apt-get install chromium)',
                          chromium_binary())
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=browser_path,
            args=['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'])
        page = browser.new_page(viewport=dict(width=1280, height=900))
        status = page.locator('#status')

        def restore(photo, is_hr):
            """A fresh page, the files uploaded, Restore clicked."""
            page.goto(server, wait_until='domcontentloaded')
            for elem, paths in (('photo', [photo]), ('refs', [files['ref']])):
                page.locator(f'#{elem} input[type=file]').set_input_files(
                    paths)
                uploaded(page, elem, paths)
            page.locator('#is_hr input[type=checkbox]').set_checked(is_hr)
            page.locator('#restore').click()

        restore(files['text'], False)
        sync_api.expect(status).to_contain_text(
            'photo notes.txt: cannot read image', timeout=60000)

        restore(files['photo'], True)
        sync_api.expect(status).to_contain_text('Done in', timeout=180000)
        sync_api.expect(status).to_contain_text('Y-PSNR against your photo')
        shown = {}
        for name in ('sr', 'bicubic'):
            src = page.locator(f'#{name} img').get_attribute('src')
            body = page.request.get(src if '://' in src else server +
                                    src.lstrip('/')).body()
            path = tmp_path / f'{name}.png'
            path.write_bytes(body)
            shown[name] = np.asarray(Image.open(path).convert('RGB'))
        shot = os.environ.get('C2M_DEMO_SCREENSHOT')
        if shot:
            page.screenshot(path=shot, full_page=True)
        browser.close()
    np.testing.assert_array_equal(shown['sr'], expected)
    gt = np.asarray(Image.open(files['photo']))
    bicubic_error = np.abs(shown['bicubic'].astype(int) - gt).mean()
    assert shown['bicubic'].shape == gt.shape and 0 < bicubic_error < 20
