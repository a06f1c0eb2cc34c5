import { Aws, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { acknowledge, nagPackAcknowledgements, skipCheckov } from './acknowledge';

export interface RegionalEntryProps {
  readonly domainName: string;
  readonly hostedZoneId: string;
  readonly zoneName: string;
  /**
   * The certificate of this Region, where another stack made it (the one whose validation record
   * it owns); otherwise one is requested here, validated by the record that stack owns.
   */
  readonly certificate?: acm.ICertificate;
}

/**
 * Requests the domain's certificate in `scope`'s Region and has CloudFormation write its DNS
 * validation record in the zone. ACM gives every Region of an account the same validation record for
 * a domain, so one stack (the one that outlives the Regional ones) owns it, and the certificates of
 * the other Regions are validated by that record without writing it again: deleting a Regional stack
 * then never deletes the record that the other Regions' renewals need.
 */
export function validatedCertificate(scope: Construct, id: string, props: RegionalEntryProps): acm.Certificate {
  const zone = route53.HostedZone.fromHostedZoneAttributes(scope, `${id}Zone`, { hostedZoneId: props.hostedZoneId, zoneName: props.zoneName });
  return new acm.Certificate(scope, id, { domainName: props.domainName, validation: acm.CertificateValidation.fromDns(zone) });
}

/**
 * One Region's part of a domain that every Region serves: a certificate of this Region, and a
 * latency record for this Region that Route 53 leaves out while the Region is unhealthy.
 */
export class RegionalDomainRoute extends Construct {
  /** The Regional certificate for the domain, validated through the hosted zone. */
  public readonly certificate: acm.ICertificate;
  private readonly zone: route53.IHostedZone;

  constructor(scope: Construct, id: string, private readonly props: RegionalEntryProps) {
    super(scope, id);
    this.zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: props.hostedZoneId, zoneName: props.zoneName });
    // Without a zone, CloudFormation writes no record and waits for the one that already exists.
    this.certificate = props.certificate ?? new acm.Certificate(this, 'Certificate', {
      domainName: props.domainName,
      validation: acm.CertificateValidation.fromDns(),
    });
  }

  /**
   * Points the domain (`domain`, of `restApi`) at the REST API for clients nearest this Region, while two things hold: the API
   * answers HTTPS on its stage's `GET /health`, and it is not
   * answering most requests with server errors (which is what a Region cut off from the other
   * replicas answers, since it cannot write).
   */
  public route(restApi: apigateway.RestApi, domain: apigateway.IDomainName): void {
    const region = Stack.of(this).region;
    // API Gateway's 5XXError is 1 for a request answered with a server error and 0 otherwise, so
    // its average is the share of such answers: a rate, in the one metric that Route 53 takes (it
    // reads no metric math), whatever the traffic. Three minutes in a row, so that a burst at low
    // traffic does not move clients.
    const serverErrors = new cloudwatch.Alarm(this, 'ServerErrors', {
      alarmDescription: `More than half of the ${region} payments API's answers are server errors; Route 53 sends clients to the other Regions meanwhile`,
      metric: restApi.metricServerError({ period: Duration.minutes(1), statistic: 'Average' }),
      threshold: SERVER_ERROR_SHARE,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    acknowledge(serverErrors, nagPackAcknowledgements('CloudWatchAlarmAction',
      'This alarm is read by the Route 53 health check that takes the Region out of DNS; the platform\'s own alarms notify people of server errors.',
      ['NIST.800.53.R5', 'HIPAA.Security']));
    const answering = new route53.HealthCheck(this, 'Answering', {
      type: route53.HealthCheckType.CLOUDWATCH_METRIC,
      alarmIdentifier: { region, name: serverErrors.alarmName },
      insufficientDataHealthStatus: route53.InsufficientDataHealthStatusEnum.LAST_KNOWN_STATUS,
    });
    // The API's own endpoint: the Regional custom domain answers only its own name, which Route 53
    // would resolve through the latency record, to whichever Region is nearest its checkers.
    const reachable = new route53.HealthCheck(this, 'Reachable', {
      type: route53.HealthCheckType.HTTPS,
      fqdn: `${restApi.restApiId}.execute-api.${region}.${Aws.URL_SUFFIX}`,
      port: 443,
      resourcePath: `/${restApi.deploymentStage.stageName}/${HEALTH_PATH}`,
      enableSNI: true,
      requestInterval: Duration.seconds(30),
      failureThreshold: 3,
    });
    addHealthRoute(restApi);
    const healthy = new route53.HealthCheck(this, 'Healthy', {
      type: route53.HealthCheckType.CALCULATED,
      childHealthChecks: [answering, reachable],
      healthThreshold: 2,
    });
    new route53.ARecord(this, 'LatencyRecord', {
      zone: this.zone,
      recordName: this.props.domainName,
      target: route53.RecordTarget.fromAlias(new route53Targets.ApiGatewayDomain(domain)),
      region,
      setIdentifier: region,
      healthCheck: healthy,
    });
  }
}

/** Share of server errors among the API's answers above which the Region leaves DNS. */
const SERVER_ERROR_SHARE = 0.5;

const HEALTH_PATH = 'health';

/**
 * `GET /health`, answered by API Gateway itself (a mock integration) without an API key: Route 53's
 * checkers send no credentials, and a 403 would count as unhealthy. It shows that the Regional
 * domain, its certificate and the API answer HTTPS; whether payments work is the server error
 * alarm's part. It reads nothing and writes nothing.
 */
function addHealthRoute(restApi: apigateway.RestApi): void {
  const method = restApi.root.addResource(HEALTH_PATH).addMethod('GET', new apigateway.MockIntegration({
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    integrationResponses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"status": "ok"}' } }],
  }), {
    apiKeyRequired: false,
    authorizationType: apigateway.AuthorizationType.NONE,
    methodResponses: [{ statusCode: '200' }],
  });
  const unauthenticated = 'GET /health is answered by API Gateway itself with a fixed body for Route 53\'s health checkers, which send no credentials; it reads and writes nothing.';
  acknowledge(method, [
    { id: 'AwsSolutions-APIG4', reason: unauthenticated },
    { id: 'AwsSolutions-COG4', reason: unauthenticated },
  ]);
  skipCheckov(method.node.defaultChild as CfnResource, [{ id: 'CKV_AWS_59', comment: unauthenticated }]);
}
