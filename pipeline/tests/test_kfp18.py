"""KFP SDK 1.8 (run in the venv of pipeline/requirements-kfp18.txt): ComponentStore loads our
generated specs from a URL prefix, the lab's calls still work, our components compile for a KFP 1.x
cluster (Argo) and the lab's pipeline compiles for Vertex AI Pipelines with kfp.v2.compiler."""
import json

import pytest
import yaml

kfp = pytest.importorskip('kfp')
if not kfp.__version__.startswith('1.8.'):
    pytest.skip(f'KFP SDK 1.8 tests; this is kfp {kfp.__version__}', allow_module_level=True)

from conftest import COMPONENTS, IMAGE_OF, JAVA_COMMAND, LAB_COMPONENTS, OTHER_SERVING_IMAGE, import_pipeline  # noqa: E402
from pipeline_checks import check_batch_predict_pipeline, check_lab_pipeline  # noqa: E402
from spec_helpers import CompiledPipeline  # noqa: E402

OUTPUTS = {
    'train': ['job_dir'],
    'retrieve_best_run': ['metric_value', 'alpha', 'max_iter', 'trial_id', 'hyperparameters'],
    'evaluate_model': ['metric_name', 'metric_value', 'baseline_metric_value', 'metric_improvement',
                       'mlpipeline_metrics', 'mlpipeline_ui_metadata'],
    'batch_predict': ['predictions', 'predicted_rows', 'bad_rows'],
}
# A step downstream of batch_predict: the predictions directory as a file input, the count as a value.
COUNT_PREDICTIONS = """
name: Count predictions
inputs:
- {name: predictions, type: Dataset}
- {name: predicted_rows, type: Integer}
implementation:
  container:
    image: alpine@sha256:1111111111111111111111111111111111111111111111111111111111111111
    command: [sh, -c, 'cat "$0"/prediction.results-* | wc -l; echo "$1"', {inputPath: predictions},
              {inputValue: predicted_rows}]
"""


@pytest.fixture(scope='module')
def store(component_url_prefix):
    return kfp.components.ComponentStore(local_search_paths=None, url_search_prefixes=[component_url_prefix])


@pytest.mark.parametrize('name', COMPONENTS)
def test_component_store_loads_each_component_by_plain_concatenation(store, served, images, name):
    prefix, requested = served
    op = store.load_component(name)
    spec = op.component_spec
    assert f'/{name}/component.yaml' in requested, requested
    assert spec.implementation.container.image == images[IMAGE_OF[name]]
    assert [o.name for o in spec.outputs] == OUTPUTS[name]
    assert spec.description and all(i.description for i in spec.inputs)


def test_an_unknown_component_is_not_found(store):
    with pytest.raises(RuntimeError, match='not found'):
        store.load_component('no_such_component')


def _small_pipeline(store):
    """The lab's steps that need no cloud service, as a KFP 1.x cluster runs them (Argo)."""
    retrieve_best_run_op = store.load_component('retrieve_best_run')
    train_op = store.load_component('train')
    evaluate_model_op = store.load_component('evaluate_model')

    @kfp.dsl.pipeline(name='covertype-on-a-kfp-cluster')
    def pipeline(project_id: str, job_id: str, gcs_root: str, threshold: float = 0.69):
        # The lab's positional call.
        best = retrieve_best_run_op(project_id, job_id)
        train = train_op(training_dataset_path='{}/training/*.csv'.format(gcs_root),
                         validation_dataset_path='{}/validation/*.csv'.format(gcs_root),
                         job_dir='{}/jobdir/{}'.format(gcs_root, kfp.dsl.RUN_ID_PLACEHOLDER),
                         alpha=best.outputs['alpha'], max_iter=best.outputs['max_iter'])
        evaluation = evaluate_model_op(dataset_path=str('{}/testing/*.csv'.format(gcs_root)),
                                       model_path=str(train.outputs['job_dir']), metric_name='accuracy')
        with kfp.dsl.Condition(evaluation.outputs['metric_value'] > threshold):
            kfp.dsl.ContainerOp(name='deploy', image='alpine@sha256:' + '1' * 64,
                                command=['echo', train.outputs['job_dir']])
    return pipeline


def test_our_components_compile_for_a_kfp_1x_cluster(store, images, tmp_path):
    path = tmp_path / 'workflow.yaml'
    kfp.compiler.Compiler().compile(_small_pipeline(store), str(path))
    workflow = yaml.safe_load(path.read_text())
    templates = {t['name']: t for t in workflow['spec']['templates']}

    for name, component in (('train', 'train'), ('retrieve-best-run', 'retrieve_best_run'),
                            ('evaluate-model', 'evaluate_model')):
        container = templates[name]['container']
        assert container['image'] == images[IMAGE_OF[component]]
        assert container['command'][:4] == JAVA_COMMAND

    args = templates['retrieve-best-run']['container']['args']
    assert args[:4] == ['--project-id', '{{inputs.parameters.project_id}}', '--job-id', '{{inputs.parameters.job_id}}']
    train_args = templates['train']['container']['args']
    assert train_args[train_args.index('--alpha') + 1] == '{{inputs.parameters.retrieve-best-run-alpha}}'
    assert train_args[train_args.index('--max_iter') + 1] == '{{inputs.parameters.retrieve-best-run-max_iter}}'
    assert train_args[train_args.index('--job-dir-output') + 1] == '/tmp/outputs/job_dir/data'
    eval_args = templates['evaluate-model']['container']['args']
    assert eval_args[eval_args.index('--model-path') + 1] == '{{inputs.parameters.train-job_dir}}'

    dag = {t['name']: t for t in templates[workflow['spec']['entrypoint']]['dag']['tasks']}
    assert {'name': 'retrieve-best-run-alpha',
            'value': '{{tasks.retrieve-best-run.outputs.parameters.retrieve-best-run-alpha}}'} in \
        dag['train']['arguments']['parameters']
    condition = next(t for t in dag.values() if t['name'].startswith('condition-'))
    assert condition['when'] == ('{{tasks.evaluate-model.outputs.parameters.evaluate-model-metric_value}} '
                                 '> {{inputs.parameters.threshold}}')

    # The KFP UI's metrics and visualizations are artifacts of these names.
    artifacts = {a['name']: a['path'] for a in templates['evaluate-model']['outputs']['artifacts']}
    assert artifacts['mlpipeline-metrics'] == '/tmp/outputs/mlpipeline_metrics/data'
    assert artifacts['mlpipeline-ui-metadata'] == '/tmp/outputs/mlpipeline_ui_metadata/data'
    parameters = {p['name']: p['valueFrom']['path'] for p in templates['evaluate-model']['outputs']['parameters']}
    assert parameters['evaluate-model-metric_value'] == '/tmp/outputs/metric_value/data'


def _compile_lab_pipeline(prefix, tmp_path, serving_image=None):
    module = import_pipeline('covertype_training_pipeline', prefix, serving_image)
    path = tmp_path / 'covertype_training_pipeline.json'
    module.compile_pipeline(str(path))
    job = json.loads(path.read_text())
    assert job['pipelineSpec']['sdkVersion'] == 'kfp-1.8.22'
    return module, job


def test_the_lab_pipeline_compiles_for_vertex_ai_pipelines(component_url_prefix, images, tmp_path):
    # No variable but the prefix: the serving image comes from images.json beside the specs.
    module, job = _compile_lab_pipeline(component_url_prefix, tmp_path)
    assert module.TRAINER_IMAGE == images['trainer_image']
    assert module.SERVING_IMAGE == images['serving_image']
    specs = {name: {'command': getattr(module, f'{name}_op').component_spec.implementation.container.command}
             for name in LAB_COMPONENTS}
    check_lab_pipeline(CompiledPipeline(job['pipelineSpec']), images, specs, 'pipelineparam--')
    parameters = job['pipelineSpec']['root']['inputDefinitions']['parameters']
    assert parameters['baseline_model_path']['type'] == 'STRING', parameters['baseline_model_path']
    assert job['runtimeConfig']['parameters']['baseline_model_path'] == {'stringValue': ''}


def test_serving_image_overrides_images_json(component_url_prefix, images, tmp_path):
    module, job = _compile_lab_pipeline(component_url_prefix, tmp_path, OTHER_SERVING_IMAGE)
    assert module.SERVING_IMAGE == OTHER_SERVING_IMAGE
    specs = {name: {'command': getattr(module, f'{name}_op').component_spec.implementation.container.command}
             for name in LAB_COMPONENTS}
    check_lab_pipeline(CompiledPipeline(job['pipelineSpec']), images, specs, 'pipelineparam--', OTHER_SERVING_IMAGE)


def _train_then_batch_predict(store):
    """train, batch_predict on its job_dir, and a step reading the predictions."""
    train_op = store.load_component('train')
    batch_predict_op = store.load_component('batch_predict')
    count_op = kfp.components.load_component_from_text(COUNT_PREDICTIONS)

    @kfp.dsl.pipeline(name='train-then-batch-predict')
    def pipeline(gcs_root: str, instances: str):
        train = train_op(training_dataset_path='{}/training/*.csv'.format(gcs_root),
                         job_dir='{}/jobdir'.format(gcs_root))
        predict = batch_predict_op(dataset_path=instances, model_path=train.outputs['job_dir'],
                                   predictions_format='csv', max_bad_rows=10)
        count_op(predict.outputs['predictions'], predict.outputs['predicted_rows'])
    return pipeline, batch_predict_op


def test_component_store_loads_batch_predict_with_its_dataset_output(store):
    spec = store.load_component('batch_predict').component_spec
    assert {i.name: (i.type, i.default) for i in spec.inputs} == {
        'dataset_path': ('String', None), 'model_path': ('String', None), 'instances_format': ('String', 'auto'),
        'predictions_format': ('String', 'jsonl'), 'max_bad_rows': ('Integer', 0),
        'rows_per_shard': ('Integer', 100000)}
    assert {o.name: o.type for o in spec.outputs} == {
        'predictions': 'Dataset', 'predicted_rows': 'Integer', 'bad_rows': 'Integer'}


def test_train_then_batch_predict_compiles_for_a_kfp_1x_cluster(store, images, tmp_path):
    pipeline, batch_predict_op = _train_then_batch_predict(store)
    path = tmp_path / 'workflow.yaml'
    kfp.compiler.Compiler().compile(pipeline, str(path))
    workflow = yaml.safe_load(path.read_text())
    templates = {t['name']: t for t in workflow['spec']['templates']}

    container = templates['batch-predict']['container']
    assert container['image'] == images['base_image']
    assert container['command'] == batch_predict_op.component_spec.implementation.container.command
    args = container['args']
    assert args[args.index('--model-path') + 1] == '{{inputs.parameters.train-job_dir}}'
    assert args[args.index('--dataset-path') + 1] == '{{inputs.parameters.instances}}'
    assert args[args.index('--predictions-format') + 1] == 'csv'
    assert args[args.index('--max-bad-rows') + 1] == '10'
    assert args[args.index('--rows-per-shard') + 1] == '100000'
    assert args[args.index('--predictions-dir') + 1] == '/tmp/outputs/predictions/data'

    # The predictions directory is an artifact only (Argo cannot read a directory as a parameter);
    # predicted_rows, read as a value downstream, is also a parameter.
    outputs = templates['batch-predict']['outputs']
    artifacts = {a['name']: a['path'] for a in outputs['artifacts']}
    assert artifacts['batch-predict-predictions'] == '/tmp/outputs/predictions/data'
    parameters = {p['name']: p['valueFrom']['path'] for p in outputs.get('parameters', [])}
    assert parameters == {'batch-predict-predicted_rows': '/tmp/outputs/predicted_rows/data'}, parameters

    dag = {t['name']: t for t in templates[workflow['spec']['entrypoint']]['dag']['tasks']}
    assert {'name': 'batch-predict-predictions',
            'from': '{{tasks.batch-predict.outputs.artifacts.batch-predict-predictions}}'} in \
        dag['count-predictions']['arguments']['artifacts']
    assert {'name': 'train-job_dir', 'value': '{{tasks.train.outputs.parameters.train-job_dir}}'} in \
        dag['batch-predict']['arguments']['parameters']
    count_inputs = templates['count-predictions']['inputs']
    assert count_inputs['artifacts'] == [{'name': 'batch-predict-predictions', 'path': '/tmp/inputs/predictions/data'}]


def test_train_then_batch_predict_compiles_for_vertex_ai_pipelines(store, images, tmp_path):
    from kfp.v2 import compiler as v2_compiler
    pipeline, batch_predict_op = _train_then_batch_predict(store)
    path = tmp_path / 'train_then_batch_predict.json'
    v2_compiler.Compiler().compile(pipeline, str(path))
    job = json.loads(path.read_text())
    assert job['pipelineSpec']['sdkVersion'] == 'kfp-1.8.22'
    check_batch_predict_pipeline(CompiledPipeline(job['pipelineSpec']), images,
                                 batch_predict_op.component_spec.implementation.container.command,
                                 'count-predictions')
