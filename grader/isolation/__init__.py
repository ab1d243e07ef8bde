"""The processes between the runner, the judges and the student's code.

- `zygote`: the judges' fork server, warm with pytest and hypothesis;
- `pool`: the runner's handle on it (`ChildPool`);
- `sandbox`: each copy's executor server, in a bubblewrap sandbox when it works.
"""
