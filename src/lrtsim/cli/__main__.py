"""`python -m lrtsim.cli`."""

from lrtsim.cli import main

if __name__ == "__main__":  # not again in a process pool's worker, which imports this module
    main()
