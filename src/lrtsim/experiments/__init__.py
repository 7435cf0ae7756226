"""Many runs at once: Monte Carlo days, sweeps and design searches, locally or on Dask."""
