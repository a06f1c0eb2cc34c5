"""A Python user's CDK app, holding the Python examples of the README and docs/profiles.md: the stock
staging platform, as in the smallest example, and one derived from the production profile. Writes
to $CDK_OUTDIR. Also reads the payments API's OpenAPI document, which the package exports."""
import json

from aws_cdk import App, Environment, Stack
from org_payment_platform import PaymentPlatform, Profiles
from org_payment_platform import PaymentsApiDocument

app = App()
stack = Stack(app, "Payments", env=Environment(region=Profiles.staging.region))
PaymentPlatform(stack, "P", Profiles.staging)

custom = Profiles.derive(Profiles.production, region="eu-west-1", api_rate_limit=2500)
PaymentPlatform(Stack(app, "Custom", env=Environment(region=custom.region)), "P", custom)

for artifact in app.synth().stacks:
    print(f"python: {artifact.stack_name} in {artifact.environment.region}: {len(artifact.template['Resources'])} resources")

document = json.loads(PaymentsApiDocument.to_json())
paths = sorted(document["paths"])
if document["openapi"] != "3.1.0" or paths != ["/payments", "/payments/{transactionId}"]:
    raise SystemExit(f"PaymentsApiDocument.to_json() is not the payments API's OpenAPI 3.1 document: {document['openapi']}, {paths}")
if PaymentsApiDocument.to_object()["info"]["version"] != PaymentsApiDocument.CONTRACT_VERSION:
    raise SystemExit("PaymentsApiDocument.to_object() disagrees with CONTRACT_VERSION")
print(f"python: PaymentsApiDocument, OpenAPI {document['openapi']} of contract version {PaymentsApiDocument.CONTRACT_VERSION}, paths {paths}")
