"""Schemathesis hooks for the contract test of the local server (test/contract/run.sh)."""
import schemathesis


@schemathesis.hook
def map_body(context, body):
    """An `amount` is written as a JSON integer: `1999`, never `1999.0` (400 `validation_error`).

    JSON Schema counts 1999.0 as an integer and cannot say how a number is written, so the document
    says it in words; Hypothesis writes some integers as floats, which are sent as integers here.
    """
    if isinstance(body, dict) and isinstance(body.get("amount"), float) and body["amount"].is_integer():
        return {**body, "amount": int(body["amount"])}
    return body
