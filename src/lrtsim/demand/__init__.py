"""Passenger demand: hourly origin–destination matrices and the loads they put on the line."""
