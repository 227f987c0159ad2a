"""The side-by-side benchmark of `POST /generate-jwt` (`bench/run`), as a package.

Modules, each importing only those listed before it (no circle):

- `common`: paths, the benchmark's request, `BenchError`, `log`, `run`;
- `process`: start a server, wait until it is ready, stop it (also used by `bench/profile` and
  `scripts/reliability`);
- `proctree`: CPU time and peak memory of a process tree, from /proc;
- `parse`: reading wrk's, hey's and openssl's output (pure);
- `report`: ratios, comparisons, targets and the Markdown and terminal tables (pure);
- `tools`: installing and building what a run needs, versions of the tools;
- `services`: the services a run compares, one declaration each;
- `servers`: a declared service started for a run;
- `load` and `measure`: the load generators and the measurements;
- `scale`: `bench/run --scale`;
- `cli`: the options and `main`.
"""
