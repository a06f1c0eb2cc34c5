import { Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { acknowledge, inPacks } from './acknowledge';
import type { PaymentApi } from '../payment-api';

export interface RegionalEntryProps {
  readonly domainName: string;
  readonly hostedZoneId: string;
  readonly zoneName: string;
}

/**
 * One Region's part of a domain that every Region serves: a certificate of this Region, and a
 * latency record for this Region that Route 53 leaves out while the Region is unhealthy.
 */
export class RegionalEntry extends Construct {
  /** The Regional certificate for the domain, validated through the hosted zone. */
  public readonly certificate: acm.Certificate;
  private readonly zone: route53.IHostedZone;

  constructor(scope: Construct, id: string, private readonly props: RegionalEntryProps) {
    super(scope, id);
    this.zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: props.hostedZoneId, zoneName: props.zoneName });
    this.certificate = new acm.Certificate(this, 'Certificate', {
      domainName: props.domainName,
      validation: acm.CertificateValidation.fromDns(this.zone),
    });
  }

  /**
   * Points the domain at `api` for clients nearest this Region, while two things hold: the API's
   * endpoint accepts TLS connections, and it is not answering most requests with server errors
   * (which is what a Region cut off from the other replicas answers, since it cannot write).
   */
  public route(api: PaymentApi): void {
    const region = Stack.of(this).region;
    const serverErrors = new cloudwatch.Alarm(this, 'ServerErrors', {
      alarmDescription: `The ${region} payments API answers server errors; Route 53 sends clients to the other Regions meanwhile`,
      metric: api.api.metricServerError({ period: Duration.minutes(1), statistic: 'Sum' }),
      threshold: 5,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    acknowledge(serverErrors, inPacks('CloudWatchAlarmAction',
      'This alarm is read by the Route 53 health check that takes the Region out of DNS; the platform\'s own alarms notify people of server errors.',
      ['NIST.800.53.R5', 'HIPAA.Security']));
    const answering = new route53.HealthCheck(this, 'Answering', {
      type: route53.HealthCheckType.CLOUDWATCH_METRIC,
      alarmIdentifier: { region, name: serverErrors.alarmName },
      insufficientDataHealthStatus: route53.InsufficientDataHealthStatusEnum.LAST_KNOWN_STATUS,
    });
    const reachable = new route53.HealthCheck(this, 'Reachable', {
      type: route53.HealthCheckType.TCP,
      fqdn: api.domain!.domainNameAliasDomainName,
      port: 443,
      requestInterval: Duration.seconds(30),
      failureThreshold: 3,
    });
    const healthy = new route53.HealthCheck(this, 'Healthy', {
      type: route53.HealthCheckType.CALCULATED,
      childHealthChecks: [answering, reachable],
      healthThreshold: 2,
    });
    new route53.ARecord(this, 'LatencyRecord', {
      zone: this.zone,
      recordName: this.props.domainName,
      target: route53.RecordTarget.fromAlias(new route53Targets.ApiGatewayDomain(api.domain!)),
      region,
      setIdentifier: region,
      healthCheck: healthy,
    });
  }
}
