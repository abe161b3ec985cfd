"""The ministry route's shape in viewflow's own nodes and nothing else, for ``bench_lifecycle.py``'s reference run.

Installed only by that benchmark (it adds this package to ``INSTALLED_APPS`` before Django starts); it has no
models and writes only viewflow's process, task and task-link rows.
"""
