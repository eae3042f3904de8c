"""One module per rule of the cause classifier; pipeline.py lists them in the order they run."""
