"""Tests for snnviz.teach._threads: the single-thread section."""

import threading

import torch

from snnviz.teach._threads import one_thread


def test_one_thread_holds_one_thread_and_restores_after_nesting():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with one_thread():
            with one_thread():
                assert torch.get_num_threads() == 1
            assert torch.get_num_threads() == 1  # the inner section leaves the outer one alone
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_one_thread_in_a_worker_thread_restores_that_thread():
    seen = {}

    def worker():
        seen["before"] = torch.get_num_threads()
        with one_thread():
            seen["inside"] = torch.get_num_threads()
        seen["after"] = torch.get_num_threads()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen["inside"] == 1 and seen["after"] == seen["before"]


def test_one_thread_restores_after_an_error():
    before = torch.get_num_threads()
    try:
        with one_thread():
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert torch.get_num_threads() == before
