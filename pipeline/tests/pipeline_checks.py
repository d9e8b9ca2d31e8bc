"""What the compiled lab pipeline must hold, whichever KFP SDK compiled it (1.8's kfp.v2.compiler
or 2.x's compiler): our images by digest, the arguments wired from outputs to inputs, the deploy
gate on metric_value and metric_improvement, and the serving container of the model artifact."""
import json

from conftest import IMAGE_OF, JAVA_COMMAND


def gcs_root(channel):
    """The runtime placeholder of the gcs_root parameter inside a string."""
    return "{{$.inputs.parameters['%sgcs_root']}}" % channel


def _expression(task):
    """A condition's expression with the two SDKs' spellings made one."""
    return task['triggerPolicy']['condition'].replace('.double_value', '').replace('parameter_values', 'parameters')


def check_lab_pipeline(compiled, images, specs, channel, serving_image=None, v2_specs=False):
    """channel: the SDK's prefix of pipeline parameters inside strings ('pipelineparam--' in 1.8,
    'pipelinechannel--' in 2.x). specs: our loaded component specs by name (command, image).
    serving_image: the image the model artifact must name; default images.json's serving_image.
    v2_specs: the pipeline runs our KFP v2 specs (outputs through the executor output, train's model
    artifact uploaded as it is) rather than the v1 ones (the job dir turned into a model by an importer)."""
    root = gcs_root(channel)

    # Our three steps run the images by digest, with the specs' commands.
    for task, component in (('train', 'train'), ('retrieve-best-run', 'retrieve_best_run'),
                            ('evaluate-model', 'evaluate_model')):
        container = compiled.container(task)
        assert container['image'] == images[IMAGE_OF[component]], (task, container['image'])
        assert '@sha256:' in container['image']
        assert container['command'] == specs[component]['command'], (task, container['command'])

    # Three BigQuery splits, each exporting its lots to its CSV shards.
    queries = {}
    split_tasks = {}
    for name in compiled.tasks:
        if name.startswith('bigquery-query-job'):
            query = compiled.constant(name, 'query')
            split = next(s for s in ('training', 'validation', 'testing') if f'/datasets/{s}/' in query)
            queries[split] = query
            split_tasks[split] = name
    assert sorted(queries) == ['testing', 'training', 'validation'], sorted(queries)
    lots = {'training': 'IN (1, 2, 3, 4)', 'validation': 'IN (8)', 'testing': 'IN (9)'}
    for split, query in queries.items():
        assert query.startswith('EXPORT DATA OPTIONS'), query
        assert f"uri = '{root}/datasets/{split}/data-*.csv'" in query, query
        assert 'MOD(ABS(FARM_FINGERPRINT(TO_JSON_STRING(cover))), 10) ' + lots[split] in query, query
        assert "{{$.inputs.parameters['%ssource_table_name']}}" % channel in query, query

    # The tuning job's trials run the trainer image by digest in tuning mode on the splits.
    tuning = compiled.find('hyperparameter-tuning-job')
    pools = compiled.constant(tuning, 'worker_pool_specs')
    pools = json.loads(pools) if isinstance(pools, str) else pools
    assert len(pools) == 1, pools
    container_spec = pools[0]['container_spec']
    assert container_spec['image_uri'] == images['trainer_image'], container_spec
    assert container_spec['args'] == [
        '--training_dataset_path', f'{root}/datasets/training/data-*.csv',
        '--validation_dataset_path', f'{root}/datasets/validation/data-*.csv',
        '--hptune', 'True', '--hyperparameter_metric_tag', 'accuracy'], container_spec['args']
    metrics = compiled.constant(tuning, 'study_spec_metrics')
    metrics = json.loads(metrics) if isinstance(metrics, str) else metrics
    # StudySpec.MetricSpec.GoalType: MAXIMIZE = 1
    assert metrics == [{'metric_id': 'accuracy', 'goal': 1}] or metrics == [
        {'metric_id': 'accuracy', 'goal': 'MAXIMIZE'}], metrics
    parameters = compiled.constant(tuning, 'study_spec_parameters')
    parameters = json.loads(parameters) if isinstance(parameters, str) else parameters
    assert sorted(p['parameter_id'] for p in parameters) == ['alpha', 'max_iter'], parameters
    assert compiled.source(tuning, 'max_trial_count') == ('pipeline', 'max_trial_count')
    assert set(compiled.task(tuning).get('dependentTasks', [])) == {split_tasks['training'], split_tasks['validation']}

    # retrieve_best_run reads the tuning job named by its gcp_resources.
    assert compiled.source('retrieve-best-run', 'gcp_resources') == ('task', tuning, 'gcp_resources')

    # The final training takes the best alpha and max_iter and both splits, saving under gcs_root.
    assert compiled.source('train', 'alpha') == ('task', 'retrieve-best-run', 'alpha')
    assert compiled.source('train', 'max_iter') == ('task', 'retrieve-best-run', 'max_iter')
    assert compiled.constant('train', 'training_dataset_path') == f'{root}/datasets/training/data-*.csv'
    assert compiled.constant('train', 'validation_dataset_path') == f'{root}/datasets/validation/data-*.csv'
    assert compiled.constant('train', 'job_dir') == root + '/jobdir/{{$.pipeline_job_uuid}}'
    assert compiled.container('train')['resources'], 'the final training asks for CPU and memory'

    # evaluate_model scores the trained model (the job_dir output) on the testing split.
    assert compiled.source('evaluate-model', 'model_path') == ('task', 'train', 'job_dir')
    assert compiled.constant('evaluate-model', 'dataset_path') == f'{root}/datasets/testing/data-*.csv'
    assert split_tasks['testing'] in compiled.task('evaluate-model')['dependentTasks']
    assert compiled.source('evaluate-model', 'metric_name') == ('pipeline', 'evaluation_metric_name')
    # The model in production, a pipeline parameter defaulting to '' (no baseline).
    assert compiled.source('evaluate-model', 'baseline_model_path') == ('pipeline', 'baseline_model_path')

    # Deploy only if metric_value > the threshold and metric_improvement > 0: the deploy steps sit
    # in the inner condition's DAG, inside the outer one's.
    conditions = sorted(name for name in compiled.tasks if name.startswith('condition-'))
    assert len(conditions) == 2, conditions
    outer = next(c for c in conditions if compiled.parent(c) is None)
    inner = next(c for c in conditions if c != outer)
    assert compiled.parent(inner) == outer, (inner, compiled.parent(inner))
    assert compiled.task(outer)['taskInfo']['name'] in ('deploy-if-better', outer)
    assert compiled.task(inner)['taskInfo']['name'] in ('and-better-than-baseline', inner)
    assert _expression(compiled.task(outer)) == (
        "inputs.parameters['{0}evaluate-model-metric_value'] > inputs.parameters['{0}evaluation_metric_threshold']"
        .format(channel)), _expression(compiled.task(outer))
    assert _expression(compiled.task(inner)) in (
        "inputs.parameters['{0}evaluate-model-metric_improvement'] > {1}".format(channel, zero)
        for zero in ('0', '0.0', 'double(0)')), _expression(compiled.task(inner))
    assert compiled.source(outer, f'{channel}evaluate-model-metric_value') == (
        'task', 'evaluate-model', 'metric_value')
    assert compiled.source(outer, f'{channel}evaluation_metric_threshold') == (
        'pipeline', 'evaluation_metric_threshold')
    assert compiled.source(inner, f'{channel}evaluate-model-metric_improvement') == (
        'task', 'evaluate-model', 'metric_improvement')
    serving_image = serving_image or images['serving_image']
    if v2_specs:
        # Every output through the executor output: no outputPath flag, the executor input last.
        for task in ('train', 'retrieve-best-run', 'evaluate-model'):
            args = compiled.container(task)['args']
            assert args[-2:] == ['--executor-input', '{{$}}'], (task, args)
            assert not any('.output_file}}' in str(a) or "outputs.artifacts[" in str(a) for a in args), (task, args)
        # train's model artifact goes to ModelUploadOp as it is; it names the serving image train is given.
        assert not any(name.startswith('importer') for name in compiled.tasks), sorted(compiled.tasks)
        for step in ('model-upload', 'endpoint-create', 'model-deploy'):
            assert compiled.parent(step) == inner, (step, compiled.parent(step))
        assert compiled.source('model-upload', 'unmanaged_container_model') == ('task', 'train', 'model')
        assert compiled.constant('train', 'serving_image') == serving_image
        model = compiled.component('train')['outputDefinitions']['artifacts']['model']
        assert model['artifactType']['schemaTitle'] == 'google.UnmanagedContainerModel', model
        metrics = compiled.component('evaluate-model')['outputDefinitions']['artifacts']
        assert {k: v['artifactType']['schemaTitle'] for k, v in metrics.items()} == {
            'metrics': 'system.Metrics', 'classification_metrics': 'system.ClassificationMetrics'}, metrics
    else:
        importer = compiled.find('importer')
        for step in (importer, 'model-upload', 'endpoint-create', 'model-deploy'):
            assert compiled.parent(step) == inner, (step, compiled.parent(step))
        assert compiled.source(importer, 'uri') == ('task', 'train', 'job_dir')
        # The model artifact names the serving image with serve's routes and port (Vertex AI's
        # ModelContainerSpec, which sets AIP_PREDICT_ROUTE, AIP_HEALTH_ROUTE and AIP_HTTP_PORT).
        metadata = compiled.executor(importer)['importer']['metadata']
        assert metadata == {'containerSpec': {
            'imageUri': serving_image,
            'predictRoute': '/predict',
            'healthRoute': '/health',
            'ports': [{'containerPort': 8080}]}}, metadata
        assert compiled.source('model-upload', 'unmanaged_container_model') == ('task', importer, 'artifact')
    assert compiled.source('model-deploy', 'model') == ('task', 'model-upload', 'model')
    assert compiled.source('model-deploy', 'endpoint') == ('task', 'endpoint-create', 'endpoint')


# The batch_predict step's args as both SDKs compile them for Vertex AI / KFP 2 (v2 placeholders).
BATCH_PREDICT_ARGS = [
    '--dataset-path', "{{$.inputs.parameters['dataset_path']}}",
    '--model-path', "{{$.inputs.parameters['model_path']}}",
    '--instances-format', "{{$.inputs.parameters['instances_format']}}",
    '--predictions-format', "{{$.inputs.parameters['predictions_format']}}",
    '--max-bad-rows', "{{$.inputs.parameters['max_bad_rows']}}",
    '--rows-per-shard', "{{$.inputs.parameters['rows_per_shard']}}",
    '--predictions-dir', "{{$.outputs.artifacts['predictions'].path}}",
    '--predicted-rows-output', "{{$.outputs.parameters['predicted_rows'].output_file}}",
    '--bad-rows-output', "{{$.outputs.parameters['bad_rows'].output_file}}",
]
# KFP SDK 1.8's kfp.v2.compiler names parameter types as the old pipeline spec did ('type': 'INT').
_PARAMETER_TYPES = {'STRING': 'STRING', 'INT': 'NUMBER_INTEGER', 'NUMBER_INTEGER': 'NUMBER_INTEGER'}


def _parameter_types(definitions):
    return {name: _PARAMETER_TYPES[p.get('parameterType', p.get('type'))]
            for name, p in definitions.get('parameters', {}).items()}


def check_batch_predict_pipeline(compiled, images, command, consumer):
    """train -> batch_predict -> consumer (a step taking the predictions Dataset and predicted_rows),
    compiled by either SDK for Vertex AI / KFP 2. command: the loaded batch_predict spec's command."""
    container = compiled.container('batch-predict')
    assert container['image'] == images[IMAGE_OF['batch_predict']], container['image']
    assert '@sha256:' in container['image']
    assert container['command'] == command == JAVA_COMMAND + ['dev.kfptribuo.helpers.HelperComponents', 'batch-predict']
    assert container['args'] == BATCH_PREDICT_ARGS, container['args']

    # Values are parameters; the predictions directory is a system.Dataset output artifact.
    component = compiled.component('batch-predict')
    assert _parameter_types(component['inputDefinitions']) == {
        'dataset_path': 'STRING', 'model_path': 'STRING', 'instances_format': 'STRING',
        'predictions_format': 'STRING', 'max_bad_rows': 'NUMBER_INTEGER', 'rows_per_shard': 'NUMBER_INTEGER'}
    assert 'artifacts' not in component['inputDefinitions'], component['inputDefinitions']
    outputs = component['outputDefinitions']
    assert _parameter_types(outputs) == {'predicted_rows': 'NUMBER_INTEGER', 'bad_rows': 'NUMBER_INTEGER'}
    assert {name: a['artifactType']['schemaTitle'] for name, a in outputs['artifacts'].items()} == {
        'predictions': 'system.Dataset'}, outputs['artifacts']

    # The model is train's job_dir; the arguments given; the defaults of the others.
    assert compiled.source('batch-predict', 'model_path') == ('task', 'train', 'job_dir')
    assert compiled.source('batch-predict', 'dataset_path') == ('pipeline', 'instances')
    assert int(compiled.constant('batch-predict', 'max_bad_rows')) == 10
    assert compiled.constant('batch-predict', 'predictions_format') == 'csv'
    assert 'train' in compiled.task('batch-predict')['dependentTasks']
    # Inputs not given: SDK 1.8 passes the spec's default as a constant, SDK 2.x leaves it to the
    # component's default.
    for name, default in (('instances_format', 'auto'), ('rows_per_shard', 100000)):
        given = compiled.task('batch-predict').get('inputs', {}).get('parameters', {})
        if name in given:
            assert str(compiled.constant('batch-predict', name)) == str(default), (name, given[name])
        else:
            definition = component['inputDefinitions']['parameters'][name]
            assert definition.get('isOptional') and definition['defaultValue'] == default, (name, definition)

    # A consumer receives the Dataset artifact and the row count.
    assert compiled.source(consumer, 'predictions') == ('task', 'batch-predict', 'predictions')
    assert compiled.source(consumer, 'predicted_rows') == ('task', 'batch-predict', 'predicted_rows')
    assert compiled.component(consumer)['inputDefinitions']['artifacts']['predictions'][
        'artifactType']['schemaTitle'] == 'system.Dataset'
