"""``manage.py generate_national_data``: the benchmarks' national-data generator (``benchmarks/national/``)."""

from benchmarks.national.generator import Command

__all__ = ["Command"]
