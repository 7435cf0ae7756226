"""`python -m lrtsim.cli`."""

from lrtsim.cli import main

main()
