"""The cluster an archive run starts on its own: one task per worker, TensorFlow on the rest, no fixed port."""

from __future__ import annotations

from contextlib import ExitStack

from zoo.archive.cluster import connect, cores


def test_own_local_cluster_runs_one_task_per_worker_with_all_cores_for_tensorflow():
    with ExitStack() as stack:
        client, threads = connect(stack, None, None, workers=1, threads=None)
        assert list(client.nthreads().values()) == [1]
        assert threads == cores()
        assert client.cluster.scheduler_info["services"]["dashboard"] != 8787
    assert client.status == "closed"


def test_a_given_client_is_used_as_is():
    with ExitStack() as stack:
        marker = object()
        assert connect(stack, marker, None, None, 3) == (marker, 3)
