"""Plots and reports: matplotlib figures and, later, the HTML report."""
