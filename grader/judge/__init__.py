"""The trusted side: the suites, their pytest plugin and the harness they call.

Never imports the student's module: it asks the executor (`grader.executor`)
through `grader.protocol`, and only its own assertions decide a test.
"""
