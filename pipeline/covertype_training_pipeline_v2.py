"""The lab's continuous-training pipeline on kfp-tribuo's components: KFP SDK 2.x, Vertex AI Pipelines.

The same steps as covertype_training_pipeline.py (KFP SDK 1.8): BigQuery splits of the source table
-> hyperparameter tuning job of the trainer image -> retrieve_best_run -> final training (train) ->
evaluate_model on the testing split -> deploy the model if its metric beats the threshold and the
model in production (baseline_model_path).

KFP SDK 2.x has no ComponentStore: our components load with kfp.components.load_component_from_url
from the KFP v2 specs, <prefix>v2/<name>/component.yaml, that component-yaml/generate writes beside the
v1 ones. Their outputs go through KFP's executor output: evaluate_model's metrics and confusion matrix
are system.Metrics and system.ClassificationMetrics artifacts the run page draws, and train's `model`
output is a google.UnmanagedContainerModel at the job dir naming the serving image, which
ModelUploadOp takes as it is (no importer). The Google Cloud steps come from
google-cloud-pipeline-components 2.x.

Environment, read at import:
  COMPONENT_URL_SEARCH_PREFIX  URL of the generated specs (component-yaml/generate's output) ending in
                               '/', e.g. https://storage.googleapis.com/BUCKET/kfp-tribuo/TAG/; the v2
                               specs are under its v2/
  TRAINER_IMAGE                the tuning trials' image; default: the image of the train component
  SERVING_IMAGE                the container that serves the deployed model (serving-image), passed to
                               train's serving_image; default: the serving_image of <prefix>images.json,
                               which component-yaml/generate writes beside the specs (the image Jib
                               pushed, by digest)

Champion/challenger: the pipeline parameter baseline_model_path names the model now in production
(its job dir, gs://...); evaluate_model scores it on the same testing rows, and the deploy steps run
only when metric_value > evaluation_metric_threshold and metric_improvement > 0. Left '' (the
default), evaluate_model compares with the worst possible model and the threshold alone decides.

Compile: python covertype_training_pipeline_v2.py covertype_training_pipeline_v2.yaml
"""
import os
import sys

from google.cloud.aiplatform import hyperparameter_tuning as hpt
from google_cloud_pipeline_components.v1.bigquery import BigqueryQueryJobOp
from google_cloud_pipeline_components.v1.endpoint import EndpointCreateOp
from google_cloud_pipeline_components.v1.endpoint import ModelDeployOp
from google_cloud_pipeline_components.v1.hyperparameter_tuning_job import HyperparameterTuningJobRunOp
from google_cloud_pipeline_components.v1.hyperparameter_tuning_job import serialize_metrics
from google_cloud_pipeline_components.v1.hyperparameter_tuning_job import serialize_parameters
from google_cloud_pipeline_components.v1.model import ModelUploadOp
from kfp import compiler
from kfp import components
from kfp import dsl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import covertype_common as common  # noqa: E402

COMPONENT_URL_SEARCH_PREFIX = os.getenv('COMPONENT_URL_SEARCH_PREFIX')
if not COMPONENT_URL_SEARCH_PREFIX or not COMPONENT_URL_SEARCH_PREFIX.endswith('/'):
    raise SystemExit('covertype_training_pipeline_v2: set COMPONENT_URL_SEARCH_PREFIX to the URL of '
                     "component-yaml/ at a release tag, ending in '/'")


def load_component(name):
    """Our KFP v2 component from <prefix>v2/<name>/component.yaml."""
    return components.load_component_from_url(COMPONENT_URL_SEARCH_PREFIX + 'v2/' + name + '/component.yaml')


train_op = load_component('train')
retrieve_best_run_op = load_component('retrieve_best_run')
evaluate_model_op = load_component('evaluate_model')

TRAINER_IMAGE = os.getenv('TRAINER_IMAGE') or train_op.component_spec.implementation.container.image
SERVING_IMAGE = common.serving_image(COMPONENT_URL_SEARCH_PREFIX, os.environ)
STUDY_SPEC_METRICS, STUDY_SPEC_PARAMETERS = common.study_spec(hpt, serialize_parameters, serialize_metrics)


@dsl.pipeline(
    name='covertype-classifier-training',
    description='The pipeline training and deploying the Covertype classifier (kfp-tribuo, Tribuo)')
def covertype_train(project_id: str,
                    region: str,
                    source_table_name: str,
                    gcs_root: str,
                    evaluation_metric_name: str = common.EVALUATION_METRIC_NAME,
                    evaluation_metric_threshold: float = common.EVALUATION_METRIC_THRESHOLD,
                    model_id: str = 'covertype_classifier',
                    endpoint_id: str = 'covertype_classifier',
                    max_trial_count: int = common.MAX_TRIAL_COUNT,
                    parallel_trial_count: int = common.PARALLEL_TRIAL_COUNT,
                    dataset_location: str = 'US',
                    baseline_model_path: str = ''):
    """Orchestrates training and deployment of the Tribuo covertype classifier."""
    paths = {}
    splits = {}
    for split in common.SPLITS:
        paths[split] = common.split_uri(gcs_root, split)
        splits[split] = BigqueryQueryJobOp(
            project=project_id,
            location=dataset_location,
            query=common.export_split_query(source_table_name, split, paths[split]),
        ).set_display_name('create-{}-split'.format(split))

    # Tune hyperparameters: the trainer image as the trials' container (the lab's master_image_uri).
    hypertune = HyperparameterTuningJobRunOp(
        display_name='covertype-hypertune',
        project=project_id,
        location=region,
        base_output_directory=common.job_dir(gcs_root, dsl.PIPELINE_JOB_ID_PLACEHOLDER, 'hypertune'),
        worker_pool_specs=common.trial_worker_pool_specs(
            TRAINER_IMAGE, paths['training'], paths['validation']),
        study_spec_metrics=STUDY_SPEC_METRICS,
        study_spec_parameters=STUDY_SPEC_PARAMETERS,
        max_trial_count=max_trial_count,
        parallel_trial_count=parallel_trial_count,
    ).after(splits['training'], splits['validation'])

    # Retrieve the best trial.
    get_best_trial = retrieve_best_run_op(gcp_resources=hypertune.outputs['gcp_resources'])

    # Train the model on the combined training and validation splits.
    train_model = train_op(
        training_dataset_path=paths['training'],
        validation_dataset_path=paths['validation'],
        job_dir=common.job_dir(gcs_root, dsl.PIPELINE_JOB_ID_PLACEHOLDER),
        alpha=get_best_trial.outputs['alpha'],
        max_iter=get_best_trial.outputs['max_iter'],
        serving_image=SERVING_IMAGE,
    ).set_cpu_limit(common.TRAIN_CPU_LIMIT).set_memory_limit(common.TRAIN_MEMORY_LIMIT)

    # Evaluate the model on the testing split.
    eval_model = evaluate_model_op(
        dataset_path=paths['testing'],
        model_path=train_model.outputs['job_dir'],
        metric_name=evaluation_metric_name,
        baseline_model_path=baseline_model_path,
    ).after(splits['testing'])

    # Deploy the model if the primary metric is better than the threshold and than the baseline's
    # (the model in production, baseline_model_path; with none, only the threshold counts).
    with dsl.If(eval_model.outputs['metric_value'] > evaluation_metric_threshold, name='deploy-if-better'):
        with dsl.If(eval_model.outputs['metric_improvement'] > common.MIN_IMPROVEMENT,
                    name='and-better-than-baseline'):
            # train's model output: the job dir as an UnmanagedContainerModel naming SERVING_IMAGE.
            upload = ModelUploadOp(
                project=project_id,
                location=region,
                display_name=model_id,
                unmanaged_container_model=train_model.outputs['model'],
            )
            endpoint = EndpointCreateOp(project=project_id, location=region, display_name=endpoint_id)
            ModelDeployOp(
                model=upload.outputs['model'],
                endpoint=endpoint.outputs['endpoint'],
                dedicated_resources_machine_type='n1-standard-2',
                dedicated_resources_min_replica_count=1,
                dedicated_resources_max_replica_count=1,
                traffic_split={'0': 100},
            )


def compile_pipeline(output_path):
    compiler.Compiler().compile(pipeline_func=covertype_train, package_path=output_path)


if __name__ == '__main__':
    compile_pipeline(sys.argv[1] if len(sys.argv) > 1 else 'covertype_training_pipeline_v2.yaml')
