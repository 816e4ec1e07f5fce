"""The Data Docs never render a delivered value as HTML (issue 11, class 6)."""

from __future__ import annotations

from great_expectations.core import ExpectationSuiteValidationResult, ExpectationValidationResult

from rapport.quality.docs import escaped_for_html


def test_values_quoted_by_a_validation_result_are_escaped() -> None:
    bad = "<script>alert(1)</script>"
    outcome = ExpectationValidationResult(
        success=False,
        result={
            "partial_unexpected_list": [bad, 3],
            "partial_unexpected_counts": [{"value": bad, "count": 1}],
            "observed_value": bad,
        },
    )
    result = ExpectationSuiteValidationResult(
        success=False, results=[outcome], suite_name="crm.contacts"
    )

    escaped = escaped_for_html(result).results[0].result

    shown = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert escaped["partial_unexpected_list"] == [shown, 3]
    assert escaped["partial_unexpected_counts"] == [{"value": shown, "count": 1}]
    assert escaped["observed_value"] == shown
