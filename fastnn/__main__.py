"""python -m fastnn: the same command line as `fastnn`."""
from fastnn_cli.main import run

if __name__ == "__main__":
    run()
