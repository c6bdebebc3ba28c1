"""Imported first by the fork server that starts folder-reading workers (:mod:`territory.io.parallel`).

The server forks every worker, so it must run a single thread when it does; yet importing
numpy starts OpenBLAS's thread pool and importing pyarrow starts jemalloc's background
thread. Set here, in the server alone and before ``territory.io`` pulls them in, so the
server stays single-threaded (the readers do no linear algebra; jemalloc purges inline).
"""

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"
os.environ["JE_ARROW_MALLOC_CONF"] = "background_thread:false"
