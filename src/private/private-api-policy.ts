import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * A resource policy that lets an API be called through the given VPC endpoints and nothing else.
 * With IAM authorization it allows this account's principals, so that their own grants
 * (`grantInvoke`) decide; without it, API keys are the only check and the endpoint is the boundary.
 */
export function privateApiPolicy(endpoints: ec2.IInterfaceVpcEndpoint[], iamAuthorization: boolean): iam.PolicyDocument {
  const endpointIds = endpoints.map((endpoint) => endpoint.vpcEndpointId);
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'AllowThroughThePlatformsEndpoints',
        principals: [iamAuthorization ? new iam.AccountRootPrincipal() : new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
        conditions: { StringEquals: { 'aws:SourceVpce': endpointIds } },
      }),
      new iam.PolicyStatement({
        sid: 'DenyFromAnywhereElse',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
        conditions: { StringNotEquals: { 'aws:SourceVpce': endpointIds } },
      }),
    ],
  });
}
