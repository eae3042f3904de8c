"""The sender threads: HTTP requests to the provider run on them, never a database query."""

import os
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings

_pool: tuple[int, ThreadPoolExecutor] | None = None


def sender_threads() -> ThreadPoolExecutor:
    global _pool
    if _pool is None or _pool[0] != os.getpid():  # a forked worker needs its own threads
        _pool = (os.getpid(), ThreadPoolExecutor(max_workers=settings.SMS_SEND_THREADS, thread_name_prefix="sms"))
    return _pool[1]
