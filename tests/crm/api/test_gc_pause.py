import gc
import threading

import pytest

from crm.api.gc_pause import gc_paused


@pytest.fixture(autouse=True)
def _collector_running():
    gc.enable()
    yield
    gc.enable()


def test_the_collector_is_paused_for_the_block_and_resumes_after_it():
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_it_resumes_after_an_error():
    with pytest.raises(ValueError), gc_paused():
        raise ValueError
    assert gc.isenabled()


def test_nested_pauses_resume_only_when_the_outer_one_ends():
    with gc_paused():
        with gc_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()


def test_overlapping_pauses_in_two_threads_resume_when_the_last_ends():
    inside, release = threading.Event(), threading.Event()

    def other_batch():
        with gc_paused():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other_batch)
    with gc_paused():
        thread.start()
        inside.wait(5)
    assert not gc.isenabled()  # this thread's batch ended first; the other one still runs
    release.set()
    thread.join(5)
    assert gc.isenabled()
