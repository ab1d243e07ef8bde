import sys

from grader.judge.main import main

sys.exit(main())
