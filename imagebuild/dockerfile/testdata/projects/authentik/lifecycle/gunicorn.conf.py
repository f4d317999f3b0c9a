worker_class = "lifecycle.worker.DjangoUvicornWorker"
