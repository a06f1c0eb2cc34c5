"""A Python user's CDK app: the stock staging platform and one derived from it."""
import sys

from aws_cdk import App, Environment, Stack
from org_payment_platform import PaymentPlatform, Profiles

app = App(outdir=sys.argv[1])

staging = Profiles.staging
PaymentPlatform(Stack(app, "Smoke-staging", env=Environment(region=staging.region)), "Payments", staging)

custom = Profiles.derive(staging, region="eu-west-1", api_rate_limit=250)
PaymentPlatform(Stack(app, "Smoke-custom", env=Environment(region=custom.region)), "Payments", custom)

for stack in app.synth().stacks:
    print(f"python: {stack.stack_name} in {stack.environment.region}: {len(stack.template['Resources'])} resources")
