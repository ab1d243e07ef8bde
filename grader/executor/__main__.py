from grader.executor.serve import main

main()
