import sys

from grader.judge.main import run_subprocess

sys.exit(run_subprocess())
