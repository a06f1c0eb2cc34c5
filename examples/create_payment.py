"""Creates one payment on a staging or production payments API, as a service would: SigV4
(execute-api) with the caller's AWS credentials, plus the API key, one Idempotency-Key per
payment, and retries after a 503 that wait as Retry-After says, with the same key.

    PAYMENTS_URL=https://<api>.execute-api.us-east-2.amazonaws.com/v1/payments API_KEY=<key> \
      AWS_REGION=us-east-2 python3 examples/create_payment.py

Needs botocore (pip install botocore); credentials come from its usual chain.
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.session import Session


def create_payment(url, api_key, region, body, idempotency_key=None, max_attempts=4):
    credentials = Session().get_credentials()
    idempotency_key = idempotency_key or str(uuid.uuid4())
    data = json.dumps(body).encode()
    for attempt in range(1, max_attempts + 1):
        # Signed anew for each attempt: a signature is valid for five minutes.
        request = AWSRequest(method="POST", url=url, data=data, headers={
            "Content-Type": "application/json", "Idempotency-Key": idempotency_key, "x-api-key": api_key})
        SigV4Auth(credentials, "execute-api", region).add_auth(request)
        prepared = urllib.request.Request(url, data=data, method="POST", headers=dict(request.headers))
        try:
            with urllib.request.urlopen(prepared) as response:
                return response.status, json.loads(response.read() or b"null"), attempt
        except urllib.error.HTTPError as error:
            if error.code == 503 and attempt < max_attempts:
                retry_after = error.headers.get("Retry-After", "")
                seconds = int(retry_after) if retry_after.isdigit() and int(retry_after) > 0 else 2 ** attempt
                time.sleep(min(seconds, 30))
                continue
            return error.code, json.loads(error.read() or b"null"), attempt


if __name__ == "__main__":
    missing = [name for name in ("PAYMENTS_URL", "API_KEY", "AWS_REGION") if not os.environ.get(name)]
    if missing:
        sys.exit("Set " + ", ".join(missing) + ".")
    status, body, attempts = create_payment(
        os.environ["PAYMENTS_URL"], os.environ["API_KEY"], os.environ["AWS_REGION"],
        {"amount": 1999, "currency": "USD", "merchantId": "m_1", "paymentMethodToken": "tok_visa_4242"},
    )
    print(json.dumps({"status": status, "body": body, "attempts": attempts}))
