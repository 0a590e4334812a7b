"""Performance measurement without the terminal app: the latency probe (open-model schedule,
HdrHistogram percentiles, per-phase times) that perf.latency and the benchmark run."""
