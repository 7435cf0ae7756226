"""Many runs at once: Monte Carlo days, parameter sweeps and their summary statistics."""
