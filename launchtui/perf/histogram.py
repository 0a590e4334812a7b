"""Latencies in an HdrHistogram (the `hdrhistogram` package): percentiles within 0.1 % of the
recorded values (three significant digits) whatever their spread, in constant memory."""

from __future__ import annotations

from hdrh.histogram import HdrHistogram

_LOWEST_US = 1
_HIGHEST_US = 3_600_000_000  # an hour: far past any timeout the probe allows
_DIGITS = 3


class Latencies:
    """Milliseconds in, percentiles out (stored as whole microseconds)."""

    def __init__(self) -> None:
        self._histogram = HdrHistogram(_LOWEST_US, _HIGHEST_US, _DIGITS)

    def record(self, ms: float) -> None:
        self._histogram.record_value(min(max(round(ms * 1000), _LOWEST_US), _HIGHEST_US))

    @property
    def count(self) -> int:
        return int(self._histogram.get_total_count())

    def percentile(self, p: float) -> float:
        """The value at percentile p (0-100) in ms; 0 when nothing was recorded."""
        if not self.count:
            return 0.0
        return float(self._histogram.get_value_at_percentile(p)) / 1000

    @property
    def max(self) -> float:
        return float(self._histogram.get_max_value()) / 1000 if self.count else 0.0
