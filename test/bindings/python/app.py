"""A Python user's CDK app, holding the Python examples of the README and docs/profiles.md: the stock
staging platform, as in the smallest example, and one derived from the production profile. Writes
to $CDK_OUTDIR."""
from aws_cdk import App, Environment, Stack
from org_payment_platform import PaymentPlatform, Profiles

app = App()
stack = Stack(app, "Payments", env=Environment(region=Profiles.staging.region))
PaymentPlatform(stack, "P", Profiles.staging)

custom = Profiles.derive(Profiles.production, region="eu-west-1", api_rate_limit=2500)
PaymentPlatform(Stack(app, "Custom", env=Environment(region=custom.region)), "P", custom)

for artifact in app.synth().stacks:
    print(f"python: {artifact.stack_name} in {artifact.environment.region}: {len(artifact.template['Resources'])} resources")
