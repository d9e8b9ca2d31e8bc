"""What both versions of the covertype pipeline share: the lab's splits, queries and tuning spec.

Plain Python, no KFP import: values may be KFP pipeline parameters, which both SDK generations
format into strings as placeholders the backend fills in at run time.
"""

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
