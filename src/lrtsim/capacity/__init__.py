"""Headway and capacity: signalling models, minimum headways, turnbacks, UIC 406 occupancy."""
