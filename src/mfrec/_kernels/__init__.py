"""Numba kernels: functions over int32/float32 arrays and scalars, nothing else."""
