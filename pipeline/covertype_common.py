"""What both versions of the covertype pipeline share: the lab's splits, queries and tuning spec,
and the serving container of the deployed model.

Plain Python, no KFP import: values may be KFP pipeline parameters, which both SDK generations
format into strings as placeholders the backend fills in at run time.
"""
import json
import urllib.error
import urllib.request

# The lab's splits: MOD(ABS(FARM_FINGERPRINT(TO_JSON_STRING(row))), 10) IN (lots).
NUM_LOTS = 10
SPLITS = {
    'training': [1, 2, 3, 4],
    'validation': [8],
    'testing': [9],
}

# The lab's tuning: maximize accuracy over max_iter in {500, 1000} and alpha in [1e-4, 1e-3]
# (linear scale), 6 trials, 3 in parallel. The trainer reports the metric under this tag.
METRIC_TAG = 'accuracy'
MAX_ITER_VALUES = [500, 1000]
ALPHA_RANGE = (0.0001, 0.001)
MAX_TRIAL_COUNT = 6
PARALLEL_TRIAL_COUNT = 3

# The lab's evaluation gate.
EVALUATION_METRIC_NAME = 'accuracy'
EVALUATION_METRIC_THRESHOLD = 0.69

# The champion/challenger gate: evaluate_model's metric_improvement over the model in production
# (baseline_model_path) must be above this; with no baseline it is the improvement over the worst
# possible model, so the gate holds for any model that gets a row right.
MIN_IMPROVEMENT = 0

# The serving image's contract (serving-image/README.md): serve's defaults, named in the model's
# containerSpec so that Vertex AI sets AIP_HTTP_PORT, AIP_PREDICT_ROUTE and AIP_HEALTH_ROUTE to them.
SERVING_PREDICT_ROUTE = '/predict'
SERVING_HEALTH_ROUTE = '/health'
SERVING_PORT = 8080

TRAIN_MACHINE_TYPE = 'n1-standard-4'
# What the final training and the tuning trials get: 4 vCPUs, 15 GB (n1-standard-4).
TRAIN_CPU_LIMIT = '4'
TRAIN_MEMORY_LIMIT = '15G'


def split_uri(gcs_root, split):
    """Where a split's CSV shards land: BigQuery's EXPORT DATA writes data-000000000000.csv, ...,
    each with the header; the trainer and evaluate_model read the wildcard."""
    return '{}/datasets/{}/data-*.csv'.format(gcs_root, split)


def export_split_query(source_table_name, split, uri):
    """A BigQuery statement that writes the rows of one split of the source table to CSV shards."""
    lots = ', '.join(str(lot) for lot in SPLITS[split])
    return (
        "EXPORT DATA OPTIONS (uri = '{uri}', format = 'CSV', header = true, overwrite = true) AS "
        "SELECT * FROM `{table}` AS cover "
        "WHERE MOD(ABS(FARM_FINGERPRINT(TO_JSON_STRING(cover))), {num_lots}) IN ({lots})"
    ).format(uri=uri, table=source_table_name, num_lots=NUM_LOTS, lots=lots)


def job_dir(gcs_root, run_id, *parts):
    """The lab's job dirs: <gcs_root>/jobdir[/hypertune]/<run id>."""
    return '/'.join(['{}'.format(part) for part in (gcs_root, 'jobdir', *parts, run_id)])


def trial_worker_pool_specs(trainer_image, training_path, validation_path, machine_type=TRAIN_MACHINE_TYPE):
    """One worker running the trainer image in tuning mode; Vertex AI appends --alpha=... --max_iter=...
    and reads the accuracy the trainer writes in cloudml-hypertune's file."""
    return [{
        'machine_spec': {'machine_type': machine_type},
        'replica_count': 1,
        'container_spec': {
            'image_uri': trainer_image,
            'args': [
                '--training_dataset_path', training_path,
                '--validation_dataset_path', validation_path,
                '--hptune', 'True',
                '--hyperparameter_metric_tag', METRIC_TAG,
            ],
        },
    }]


def study_spec(hpt, serialize_parameters, serialize_metrics):
    """The study's metrics and parameters, serialized with the installed Google Cloud Pipeline
    Components' helpers (the same call in 1.0.x and 2.x) from google.cloud.aiplatform's specs."""
    parameters = serialize_parameters({
        'max_iter': hpt.DiscreteParameterSpec(values=MAX_ITER_VALUES, scale=None),
        'alpha': hpt.DoubleParameterSpec(min=ALPHA_RANGE[0], max=ALPHA_RANGE[1], scale='linear'),
    })
    metrics = serialize_metrics({METRIC_TAG: 'maximize'})
    return metrics, parameters


def serving_image(component_url_prefix, environ):
    """The image that serves the deployed model: $SERVING_IMAGE when set, else the serving_image of
    <prefix>images.json, which component-yaml/generate writes beside the specs it generates (the
    serving-image module's Jib build, by digest). Raises SystemExit naming the URL when neither is there."""
    override = environ.get('SERVING_IMAGE', '').strip()
    if override:
        return override
    url = component_url_prefix + 'images.json'
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            images = json.loads(response.read().decode('utf-8'))
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise SystemExit('covertype pipeline: no serving image: cannot read {} ({}); publish component-yaml/generate\'s '
                         'images.json beside the specs, or set SERVING_IMAGE'.format(url, e))
    image = images.get('serving_image') if isinstance(images, dict) else None
    if not isinstance(image, str) or not image.strip():
        raise SystemExit('covertype pipeline: {} names no serving_image (specs generated before the serving image '
                         'existed?); set SERVING_IMAGE'.format(url))
    return image.strip()


def serving_container_spec(image):
    """The model artifact's containerSpec (Vertex AI ModelContainerSpec): the image, its routes and port."""
    return {
        'imageUri': image,
        'predictRoute': SERVING_PREDICT_ROUTE,
        'healthRoute': SERVING_HEALTH_ROUTE,
        'ports': [{'containerPort': SERVING_PORT}],
    }
