/**
 * Compares a stack synthesized through a language binding with the same stack synthesized in
 * TypeScript, so that a binding that drops or changes a setting is caught.
 */

/** A CloudFormation template, as far as the comparison reads it. */
export interface Template {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }>;
}

/**
 * The settings of the platform's environment table, read from a template, so that a difference is
 * reported in the table's words.
 */
export function seedValues(template: Template): Record<string, unknown> {
  const resources = Object.values(template.Resources);
  const ofType = (type: string) => resources.filter((r) => r.Type === type).map((r) => r.Properties ?? {});
  const ledger = resources.find((r) => r.Type === 'AWS::DynamoDB::Table' && JSON.stringify(r.Properties?.KeySchema).includes('transaction_id'));
  const buckets = ofType('AWS::S3::Bucket') as Array<{ LifecycleConfiguration?: { Rules: Array<{ Transitions?: Array<{ TransitionInDays: number }> }> } }>;
  // The environment table's rate limit is the stage's; the usage plan gives each client a share of it.
  const stage = ofType('AWS::ApiGateway::Stage')[0] as { MethodSettings?: Array<{ ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number }> } | undefined;
  const stageThrottle = stage?.MethodSettings?.[0];
  const queue = ofType('AWS::SQS::Queue')[0] as { MessageRetentionPeriod?: number } | undefined;
  const functions = ofType('AWS::Lambda::Function') as Array<{ Runtime?: string; MemorySize?: number; Timeout?: number; Architectures?: string[] }>;
  const handler = functions.find((f) => f.MemorySize === 512);
  return {
    ledgerBilling: ledger?.Properties?.BillingMode ?? (ledger ? 'PROVISIONED' : undefined),
    ledgerCapacity: ledger?.Properties?.ProvisionedThroughput,
    ledgerPointInTimeRecovery: (ledger?.Properties?.PointInTimeRecoverySpecification as { PointInTimeRecoveryEnabled?: boolean } | undefined)
      ?.PointInTimeRecoveryEnabled,
    ledgerDeletionPolicy: ledger?.DeletionPolicy,
    glacierTransitionDays: buckets.map((b) => b.LifecycleConfiguration?.Rules[0]?.Transitions?.[0]?.TransitionInDays),
    apiRateLimit: stageThrottle?.ThrottlingRateLimit,
    apiBurstLimit: stageThrottle?.ThrottlingBurstLimit,
    deadLetterRetentionDays: queue?.MessageRetentionPeriod === undefined ? undefined : queue.MessageRetentionPeriod / 86400,
    alarms: ofType('AWS::CloudWatch::Alarm').length,
    handler: handler && { runtime: handler.Runtime, memory: handler.MemorySize, timeout: handler.Timeout, architectures: handler.Architectures },
  };
}

/** Resource types and how many of each a template holds. */
export function resourceCounts(template: Template): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of Object.values(template.Resources)) {
    counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Every difference between a binding's template and the TypeScript one: resource types and counts,
 * the environment table's values, and then any resource whose properties differ at all.
 */
export function compareTemplates(reference: Template, candidate: Template): string[] {
  const differences: string[] = [];
  const referenceCounts = resourceCounts(reference);
  const candidateCounts = resourceCounts(candidate);
  for (const type of new Set([...Object.keys(referenceCounts), ...Object.keys(candidateCounts)])) {
    if (referenceCounts[type] !== candidateCounts[type]) {
      differences.push(`${type}: ${candidateCounts[type] ?? 0} resources, expected ${referenceCounts[type] ?? 0}`);
    }
  }
  const referenceValues = seedValues(reference);
  const candidateValues = seedValues(candidate);
  for (const [setting, value] of Object.entries(referenceValues)) {
    if (JSON.stringify(candidateValues[setting]) !== JSON.stringify(value)) {
      differences.push(`${setting}: ${JSON.stringify(candidateValues[setting])}, expected ${JSON.stringify(value)}`);
    }
  }
  for (const [logicalId, resource] of Object.entries(reference.Resources)) {
    const other = candidate.Resources[logicalId];
    if (other && JSON.stringify(other.Properties) !== JSON.stringify(resource.Properties)) {
      differences.push(`${logicalId} (${resource.Type}): properties differ`);
    }
  }
  return differences;
}
