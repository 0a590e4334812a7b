"""The secret scanner: rules from the providers' documented token formats, the working tree and
build output (scan.py), every reachable commit (history.py), accepted findings (baseline.py)
and SARIF 2.1.0 output (sarif.py). No Textual, no network; a secret value never leaves a
`Finding` except as its redacted form and fingerprint."""
