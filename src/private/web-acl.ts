import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { perCreationName } from './names';

/**
 * An AWS WAF web ACL for `stage`, created in `scope` as `WebAcl`, `WebAclAssociation`, `WafLogs`
 * and `WafLogging`: the AWS managed rule groups for common exploits (without its 8 KB body limit,
 * since the API accepts 16 KiB), known bad inputs and IP reputation, with every request logged to
 * an encrypted log group.
 */
export function newApiWebAcl(scope: Construct, stage: apigateway.Stage, key: kms.IKey,
  retention: logs.RetentionDays, removalPolicy: RemovalPolicy): wafv2.CfnWebACL {
  const managed = (name: string, priority: number, excluded: string[] = []): wafv2.CfnWebACL.RuleProperty => ({
    name,
    priority,
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name,
        ruleActionOverrides: excluded.length > 0 ? excluded.map((rule) => ({ name: rule, actionToUse: { count: {} } })) : undefined,
      },
    },
    visibilityConfig: { sampledRequestsEnabled: true, cloudWatchMetricsEnabled: true, metricName: name },
  });
  // WAF has no L2 construct in aws-cdk-lib; these are the L1 resources.
  const webAcl = new wafv2.CfnWebACL(scope, 'WebAcl', {
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: { sampledRequestsEnabled: true, cloudWatchMetricsEnabled: true, metricName: 'PaymentsApi' },
    rules: [
      managed('AWSManagedRulesCommonRuleSet', 0, ['SizeRestrictions_BODY']),
      managed('AWSManagedRulesKnownBadInputsRuleSet', 1),
      managed('AWSManagedRulesAmazonIpReputationList', 2),
    ],
  });
  new wafv2.CfnWebACLAssociation(scope, 'WebAclAssociation', {
    resourceArn: stage.stageArn,
    webAclArn: webAcl.attrArn,
  });
  // WAF writes only to log groups whose names start with aws-waf-logs-; the log group is retained
  // in production, so its name changes with each creation of the stack.
  const wafLogs = new logs.LogGroup(scope, 'WafLogs', {
    logGroupName: perCreationName(scope, 'aws-waf-logs-', 512),
    encryptionKey: key,
    retention,
    removalPolicy,
  });
  new wafv2.CfnLoggingConfiguration(scope, 'WafLogging', {
    resourceArn: webAcl.attrArn,
    logDestinationConfigs: [Stack.of(scope).formatArn({
      service: 'logs', resource: 'log-group', resourceName: wafLogs.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    })],
    // Credentials never reach the WAF logs, which are kept for a year.
    redactedFields: ['x-api-key', 'authorization', 'x-amz-security-token'].map((name) => ({ singleHeader: { Name: name } })),
  });
  return webAcl;
}
