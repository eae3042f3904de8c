import gc

from config.warmup import COLLECT_AFTER, warm_up_and_freeze


def test_start_up_freezes_what_is_loaded_and_collects_less_often():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # Python's default: another test may have started up as a worker already
    try:
        warm_up_and_freeze()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == COLLECT_AFTER
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
