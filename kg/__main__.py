"""`python -m kg`: the same command line as the `kg` script."""

from .cli import main

if __name__ == "__main__":
    main()
