"""Google's own client against the serving image: google-cloud-aiplatform's LocalModel and
LocalEndpoint (what a Vertex AI user runs before deploying a custom container), through the Docker
API that DOCKER_HOST names (podman's Docker-compatible socket in .ci/serving-tests).

Usage: python serving-local-model.py IMAGE MODEL_DIR BODY_JSON EXPECTED_JSONL

Deploys IMAGE to a local endpoint with MODEL_DIR as the artifact (LocalEndpoint mounts it and sets
AIP_STORAGE_URI to it), waits for the health check, posts BODY_JSON, and checks that each prediction
equals the line of EXPECTED_JSONL (batch-predict's) at the same position. Prints one line per step;
exit code 0 when all pass.
"""
import json
import os
import sys

os.environ.setdefault("NO_GCE_CHECK", "True")  # no metadata-server probe: there is no cloud here

from google.cloud import aiplatform  # noqa: E402
from google.cloud.aiplatform.prediction import LocalModel  # noqa: E402

HEALTH = "/v1/endpoints/1234/deployedModels/5678"
PREDICT = HEALTH + ":predict"


def main(image, model_dir, body_file, expected_file):
    aiplatform.init(project="kfp-tribuo-local", location="us-central1")
    local_model = LocalModel(
        serving_container_image_uri=image,
        serving_container_predict_route=PREDICT,
        serving_container_health_route=HEALTH,
        serving_container_ports=[8080],
    )
    with open(body_file, "rb") as f:
        body = f.read()
    with open(expected_file) as f:
        expected = [json.loads(line) for line in f]
    with local_model.deploy_to_local_endpoint(artifact_uri=model_dir, container_ready_timeout=60,
                                              container_ready_check_interval=1) as endpoint:
        health = endpoint.run_health_check()
        print(f"LocalEndpoint health check: HTTP {health.status_code} {health.content.decode()}")
        if health.status_code != 200:
            return 1
        response = endpoint.predict(request=body, headers={"Content-Type": "application/json"})
        print(f"LocalEndpoint.predict: HTTP {response.status_code}, {len(response.content)} bytes")
        if response.status_code != 200:
            print(response.content.decode()[:500])
            return 1
        predictions = response.json()["predictions"]
        if predictions != expected:
            print(f"{len(predictions)} predictions differ from batch-predict's {len(expected)}")
            return 1
        print(f"{len(predictions)} predictions equal batch-predict's")
        bad = endpoint.predict(request=b'{"instances": [{"Elevation": 1}]}', headers={"Content-Type": "application/json"})
        print(f"a bad instance: HTTP {bad.status_code} {bad.content.decode()}")
        if bad.status_code != 400:
            return 1
        logs = endpoint.container.logs().decode()
        print(f"container log: {len(logs.splitlines())} lines; AIP_STORAGE_URI "
              f"{'/tmp_cpr_local_model' if '/tmp_cpr_local_model' in logs else 'not'} in it")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
