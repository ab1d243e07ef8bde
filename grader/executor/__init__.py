"""The untrusted side: runs the student's code on the virtual clock and reports what it did.

Nothing here may reach the suites, the catalogue or the results: the judge
(`grader.judge`) sends `grader.protocol` requests and decides every verdict.
"""
