"""Fixtures of the pipeline tests: the generated component specs served over HTTP on 127.0.0.1, as
component-yaml/ at a release tag is served to ComponentStore, and the images Jib built.

Environment:
  KFP_TRIBUO_GENERATED   folder of generated specs (component-yaml/generate's --out); default
                         component-yaml/target/generated
  KFP_TRIBUO_BUILD_ROOT  project root whose <module>/target/jib-image.digest the images came from;
                         default this checkout
"""
import functools
import http.server
import importlib.util
import json
import os
import pathlib
import sys
import threading

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PIPELINE = ROOT / 'pipeline'
GENERATED = pathlib.Path(os.environ.get('KFP_TRIBUO_GENERATED', ROOT / 'component-yaml' / 'target' / 'generated'))
BUILD_ROOT = pathlib.Path(os.environ.get('KFP_TRIBUO_BUILD_ROOT', ROOT))
# The lab pipeline's components, and every component (batch_predict is not in the lab's pipeline).
LAB_COMPONENTS = ('train', 'retrieve_best_run', 'evaluate_model')
COMPONENTS = LAB_COMPONENTS + ('batch_predict',)
# Each spec's command before the main class: the images' entrypoint (JVM flags from /app/jvm-flags).
JAVA_COMMAND = ['java', '-XX:Flags=/app/jvm-flags', '-cp', '@/app/jib-classpath-file']
IMAGE_OF = {'train': 'trainer_image', 'retrieve_best_run': 'base_image', 'evaluate_model': 'base_image',
            'batch_predict': 'base_image'}
# A serving image other than the one images.json names: SERVING_IMAGE overrides the default.
OTHER_SERVING_IMAGE = 'us-docker.pkg.dev/example/serving/serving_image@sha256:' + '0' * 64

sys.path.insert(0, str(PIPELINE))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))


@pytest.fixture(scope='session')
def images():
    """{'trainer_image': 'REGISTRY/trainer_image@sha256:...', 'base_image': ..., 'serving_image': ...}
    of the generated specs (component-yaml/generate's images.json)."""
    path = GENERATED / 'images.json'
    if not path.is_file():
        pytest.fail(f'no {path}: build the images with Jib and run component-yaml/generate first '
                    f'(.ci/kfp-tests does both)')
    return json.loads(path.read_text())


class _Handler(http.server.SimpleHTTPRequestHandler):
    requested = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        _Handler.requested.append(self.path)
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture(scope='session')
def served(images):
    """(url_prefix, requested paths) of a server of the generated tree on 127.0.0.1."""
    handler = functools.partial(_Handler, directory=str(GENERATED))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f'http://127.0.0.1:{server.server_address[1]}/', _Handler.requested
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope='session')
def component_url_prefix(served):
    return served[0]


def import_pipeline(module_name, prefix, serving_image=None):
    """Imports a pipeline module fresh with the lab's environment: COMPONENT_URL_SEARCH_PREFIX only,
    unless serving_image is given as SERVING_IMAGE (the pipelines' override of images.json's)."""
    os.environ['COMPONENT_URL_SEARCH_PREFIX'] = prefix
    if serving_image is None:
        os.environ.pop('SERVING_IMAGE', None)
    else:
        os.environ['SERVING_IMAGE'] = serving_image
    os.environ.pop('TRAINER_IMAGE', None)
    sys.modules.pop(module_name, None)
    spec = importlib.util.spec_from_file_location(module_name, PIPELINE / f'{module_name}.py')
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module
