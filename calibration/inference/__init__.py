"""ABC-SMC of the behaviour parameters with pyabc, one module per role.

- `prior`: uniform priors on the calibrated parameters' documented ranges, own scale.
- `episode_model`: parameters -> statistics of every episode (the pyabc model).
- `projection`: the semi-automatic summaries (one regression per inferred parameter).
- `distance`: Euclidean over the summaries; without pilot runs, scaled L1 over the targets.
- `kernel`: the component-wise normal step reflected at the ranges' bounds.
- `sampler`: `SeededMapSampler`, the same posterior for any number of workers.
- `screening`: which parameters the targets can inform (the SMC moves only those).
- `adjustment`: the local-linear regression adjustment of the last generation.
- `smc`: `run_abc`, the driver, and its `AbcResult`.
"""
