"""Calibrating the scorecard on an installation's own outcomes (`rapport tune`).

- `features`: per account and observation night, each signal's strength and the outcome.
- `fit`: the time split, the regularised logistic regression, points and thresholds.
- `report`: before vs after on the held-back nights, as Markdown and JSON.
- `store`: the applied scorecards, versioned beside the lake state.
"""
