"""`python -m worker.cli` runs the `bayegan` command."""
from worker.cli import main

main()
