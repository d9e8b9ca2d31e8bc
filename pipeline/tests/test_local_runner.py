"""The 2.x pipeline's steps that need no cloud service (train, evaluate_model, retrieve_best_run on a
tuning job file, and batch_predict after train, loaded from the served KFP v2 specs: batch_predict is
not in the lab's pipeline), run by the KFP SDK's local runner (kfp.local.DockerRunner) against our
images, through a Docker-compatible API (podman's socket in CI: .ci/kfp-tests). Skipped unless
KFP_TRIBUO_LOCAL_RUNNER=1 and DOCKER_HOST are set.

What the v2 UIs and ModelUploadOp read comes back through the task outputs, from the executor output
our programs write: evaluate_model's system.Metrics and system.ClassificationMetrics metadata, checked
against what KFP's own Metrics.log_metric and ClassificationMetrics.log_confusion_matrix write for the
same numbers, and train's model artifact. Every executor output file is parsed with kfp-pipeline-spec's
ExecutorOutput message.

Two settings make the local runner behave as Kubernetes does with our images:
- entrypoint=['']: kfp.local passes the component's command as the container's *command* (Docker
  CMD), which an image's ENTRYPOINT would prefix (Jib images have one); Kubernetes' `command`
  replaces the entrypoint, and an empty entrypoint does the same here;
- umask 0 while kfp.local makes its output folders under the pipeline root: it makes them as the
  calling user, and our images run as the non-root user 65532, which must write there.

And one makes podman's API answer as Docker's does: kfp.local runs each task with auto_remove and
takes a 404 while it follows the logs of a task that has just ended and gone as "the task ended"; podman
4.3 answers 500 "... does not exist in database: no such container" for the same thing when the removal
is under way (containers/podman#10225, #17341), and the task then failed although it had ended well.
"""
import csv
import glob
import json
import os
import pathlib
import shutil

import pytest

if os.environ.get('KFP_TRIBUO_LOCAL_RUNNER') != '1' or not os.environ.get('DOCKER_HOST'):
    pytest.skip('local runner tests need KFP_TRIBUO_LOCAL_RUNNER=1 and DOCKER_HOST (.ci/kfp-tests)',
                allow_module_level=True)

kfp = pytest.importorskip('kfp')
if not kfp.__version__.startswith('2.'):
    pytest.skip(f'KFP SDK 2.x tests; this is kfp {kfp.__version__}', allow_module_level=True)

from google.protobuf import json_format  # noqa: E402
from kfp import components  # noqa: E402
from kfp import dsl  # noqa: E402
from kfp import local  # noqa: E402
from kfp.pipeline_spec import pipeline_spec_pb2  # noqa: E402

from conftest import ROOT, import_pipeline  # noqa: E402

DATA = ROOT / 'data' / 'covertype'
TUNING_JOB = ROOT / 'components' / 'src' / 'test' / 'resources' / 'tuning' / 'ai-platform' / 'succeeded-unordered.json'
SERVING_CONTAINER = {'predictRoute': '/predict', 'healthRoute': '/health', 'ports': [{'containerPort': 8080}]}


@pytest.fixture(scope='module', autouse=True)
def docker_answers_for_a_removed_container():
    import docker

    original = docker.api.client.APIClient._raise_for_status

    def raise_for_status(self, response):
        try:
            original(self, response)
        except docker.errors.APIError as e:
            if e.status_code == 500 and 'no such container' in str(e.explanation):
                raise docker.errors.NotFound(str(e), response=e.response, explanation=e.explanation) from e
            raise

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(docker.api.client.APIClient, '_raise_for_status', raise_for_status)
        yield


@pytest.fixture(scope='module')
def pipeline_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('kfp-local')
    os.chmod(root, 0o777)
    data = root / 'data'
    data.mkdir(mode=0o755)
    shutil.copy(DATA / 'covertype_small.csv', data / 'training.csv')
    shutil.copy(DATA / 'covertype_validation.csv', data / 'testing.csv')
    shutil.copy(TUNING_JOB, data / 'tuning-job.json')
    previous = os.umask(0)
    try:
        yield root
    finally:
        os.umask(previous)


@pytest.fixture(scope='module')
def module(component_url_prefix, pipeline_root):
    module = import_pipeline('covertype_training_pipeline_v2', component_url_prefix)
    local.init(runner=local.DockerRunner(network_mode='none', entrypoint=['']), pipeline_root=str(pipeline_root))
    return module


@pytest.fixture(scope='module')
def trained(module, pipeline_root):
    """The train task, once: its job dir holds the model the other tasks read."""
    job_dir = pipeline_root / 'jobdir' / 'tasks'
    return module.train_op(training_dataset_path=str(pipeline_root / 'data' / 'training.csv'),
                           job_dir=str(job_dir), max_iter=50)


def test_train_outputs_its_job_dir_and_a_model_artifact_naming_the_serving_image(trained, pipeline_root, images):
    job_dir = pipeline_root / 'jobdir' / 'tasks'
    assert trained.outputs['job_dir'] == str(job_dir)
    manifest = json.loads((job_dir / 'manifest.json').read_text())
    assert manifest['training']['rows'] == 10000
    assert (job_dir / manifest['model']['file']).stat().st_size > 0
    model = trained.outputs['model']
    # kfp.local makes a plain dsl.Artifact of a google.* type (the v2 spec's type: tests/test_kfp2.py).
    assert isinstance(model, dsl.Artifact), type(model)
    assert model.uri == str(job_dir)
    assert model.metadata == {'containerSpec': {'imageUri': images['serving_image'], **SERVING_CONTAINER}}


@pytest.fixture(scope='module')
def evaluated(module, trained, pipeline_root):
    """The evaluate_model task on the testing split, once."""
    return module.evaluate_model_op(dataset_path=str(pipeline_root / 'data' / 'testing.csv'),
                                    model_path=trained.outputs['job_dir'], metric_name='accuracy')


def test_evaluate_model_metrics_are_what_kfp_logs_for_them(evaluated):
    evaluation = evaluated
    assert evaluation.outputs['metric_name'] == 'accuracy'
    assert 0.5 < evaluation.outputs['metric_value'] <= 1
    metrics = evaluation.outputs['metrics']
    assert isinstance(metrics, dsl.Metrics), type(metrics)
    assert metrics.metadata['accuracy'] == evaluation.outputs['metric_value']
    assert set(metrics.metadata) >= {'accuracy', 'balanced_accuracy', 'f1_macro', 'log_loss'}, metrics.metadata
    logged = dsl.Metrics()
    for name, value in metrics.metadata.items():
        logged.log_metric(name, value)
    assert logged.metadata == metrics.metadata

    confusion = evaluation.outputs['classification_metrics']
    assert isinstance(confusion, dsl.ClassificationMetrics), type(confusion)
    classes = [spec['displayName'] for spec in confusion.metadata['confusionMatrix']['annotationSpecs']]
    counts = [row['row'] for row in confusion.metadata['confusionMatrix']['rows']]
    logged = dsl.ClassificationMetrics()
    logged.log_confusion_matrix(classes, counts)
    assert logged.metadata == confusion.metadata
    assert sum(map(sum, counts)) == 10000
    assert sum(counts[i][i] for i in range(len(classes))) / 10000 == pytest.approx(
        evaluation.outputs['metric_value'], abs=1e-12)


def test_retrieve_best_run_on_a_tuning_job_file(component_url_prefix, pipeline_root):
    op = components.load_component_from_url(component_url_prefix + 'v2/retrieve_best_run/component.yaml')
    best = op(job_file=str(pipeline_root / 'data' / 'tuning-job.json'))
    assert best.outputs['max_iter'] in (500, 1000), best.outputs
    assert set(best.outputs) == {'metric_value', 'alpha', 'max_iter', 'trial_id', 'hyperparameters'}
    assert best.outputs['hyperparameters']['max_iter'] == best.outputs['max_iter']


def test_train_and_evaluate_as_a_local_pipeline(module, pipeline_root):
    @dsl.pipeline
    def train_and_evaluate(training: str, testing: str, job_dir: str) -> float:
        train = module.train_op(training_dataset_path=training, job_dir=job_dir, max_iter=50)
        return module.evaluate_model_op(dataset_path=testing, model_path=train.outputs['job_dir']).outputs['metric_value']

    run = train_and_evaluate(training=str(pipeline_root / 'data' / 'training.csv'),
                             testing=str(pipeline_root / 'data' / 'testing.csv'),
                             job_dir=str(pipeline_root / 'jobdir' / 'pipeline'))
    assert 0.5 < run.output <= 1


def test_a_failing_step_yields_no_metric(module, pipeline_root):
    """evaluate_model exits 1 on a missing model. Through podman's API the local runner may read the
    exit code after the container is gone and report SUCCESS; it must still give no metric."""
    try:
        task = module.evaluate_model_op(dataset_path=str(pipeline_root / 'data' / 'testing.csv'),
                                        model_path=str(pipeline_root / 'no-model'))
    except RuntimeError:
        return
    assert 'metric_value' not in task.outputs, task.outputs


def test_the_metrics_artifact_holds_the_metrics_of_the_v1_spec(component_url_prefix, pipeline_root, trained, evaluated):
    """The v1 spec's mlpipeline_metrics file (KFP 1.x's Metrics tab) of the same evaluation, number for number."""
    v1 = components.load_component_from_url(component_url_prefix + 'evaluate_model/component.yaml')
    task = v1(dataset_path=str(pipeline_root / 'data' / 'testing.csv'), model_path=trained.outputs['job_dir'])
    assert task.outputs['metric_value'] == evaluated.outputs['metric_value']
    found = glob.glob(str(pipeline_root / 'evaluate-model-*' / 'evaluate-model' / 'mlpipeline_metrics'))
    assert found, sorted(p.name for p in pipeline_root.iterdir())
    v1_metrics = json.loads(pathlib.Path(found[-1]).read_text())['metrics']
    assert {m['name']: m['numberValue'] for m in v1_metrics} == evaluated.outputs['metrics'].metadata


def test_batch_predictions_make_the_confusion_matrix_evaluate_model_outputs(component_url_prefix, pipeline_root,
                                                                            trained, evaluated):
    """batch_predict (v2 spec, CSV predictions) on the testing split with the trained model: the counts of
    (Cover_Type, predicted_label) pairs are the rows of evaluate_model's ClassificationMetrics."""
    batch_predict_op = components.load_component_from_url(component_url_prefix + 'v2/batch_predict/component.yaml')
    predict = batch_predict_op(dataset_path=str(pipeline_root / 'data' / 'testing.csv'),
                               model_path=trained.outputs['job_dir'], rows_per_shard=4000, predictions_format='csv')
    assert predict.outputs['predicted_rows'] == 10000, predict.outputs
    assert predict.outputs['bad_rows'] == 0, predict.outputs
    predictions = predict.outputs['predictions']
    assert isinstance(predictions, dsl.Dataset), type(predictions)
    directory = pathlib.Path(predictions.path)
    assert sorted(p.name for p in directory.iterdir()) == [
        f'prediction.results-0000{i}-of-00003.csv' for i in range(3)]
    rows = []
    for shard in sorted(directory.iterdir()):
        with open(shard, newline='') as f:
            rows += list(csv.DictReader(f))
    assert len(rows) == 10000
    assert abs(sum(float(v) for k, v in rows[0].items() if k.startswith('probability_')) - 1) < 1e-9

    confusion = evaluated.outputs['classification_metrics'].metadata['confusionMatrix']
    classes = [spec['displayName'] for spec in confusion['annotationSpecs']]
    counts = [[0] * len(classes) for _ in classes]
    for row in rows:
        counts[classes.index(row['Cover_Type'])][classes.index(row['predicted_label'])] += 1
    assert [row['row'] for row in confusion['rows']] == counts


def test_every_executor_output_is_a_kfp_pipeline_spec_executor_output(pipeline_root, trained, evaluated):
    """Last: the executor outputs of every task above, as KFP's launcher parses them."""
    files = glob.glob(str(pipeline_root / '**' / 'executor_output.json'), recursive=True)
    for task in ('train', 'evaluate-model', 'retrieve-best-run', 'batch-predict'):
        assert any(f'/{task}-' in name for name in files), (task, files)
    for name in files:
        message = pipeline_spec_pb2.ExecutorOutput()
        json_format.Parse(pathlib.Path(name).read_text(), message)  # unknown fields fail
        assert message.parameter_values or message.artifacts, name
