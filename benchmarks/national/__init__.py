"""The national-data generator: the official tree, users and dossiers in every state, for the benchmarks.

``generator`` is the command (``manage.py generate_national_data`` enters it), ``lifecycle`` drives a dossier
through the flow as the task views do, and ``copier`` repeats what one real lifecycle wrote.
"""
