"""The pitfall suites are data the grader runs, not tests of the kit."""

collect_ignore_glob = ["suites/*", "fautes/*", "correct/*"]
