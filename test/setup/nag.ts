import { Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';

/** The cdk-nag packs that every construct must pass with nothing left unacknowledged. */
export function nagPacks(): NagPack[] {
  return [new AwsSolutionsChecks(), new PCIDSS321Checks(), new NIST80053R5Checks(), new HIPAASecurityChecks(), new ServerlessChecks()];
}

/**
 * Runs the packs over a stack and lists each unacknowledged finding as `rule at path`.
 * Warnings count as findings too: every one needs a fix or a reason.
 */
export function unacknowledgedFindings(stack: Stack, packs: NagPack[] = nagPacks()): string[] {
  const findings: string[] = [];
  for (const pack of packs) {
    const report = pack.validateScope(stack);
    for (const violation of report.violations) {
      for (const resource of violation.violatingResources) {
        findings.push(`${violation.ruleName} at ${resource.constructPath}`);
      }
    }
  }
  return findings.sort();
}

/**
 * Every finding the packs would report if nothing were acknowledged, as rule id and construct
 * path, to show that each acknowledgement answers a real finding.
 */
export function findingsIgnoringAcknowledgements(stack: Stack): Array<{ rule: string; path: string }> {
  const prototype = NagPack.prototype as unknown as { isAcknowledged: (...args: unknown[]) => boolean };
  const original = prototype.isAcknowledged;
  prototype.isAcknowledged = () => false;
  try {
    return nagPacks().flatMap((pack) => pack.validateScope(stack).violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => ({ rule: violation.ruleName, path: resource.constructPath ?? '' }))));
  } finally {
    prototype.isAcknowledged = original;
  }
}

/**
 * The acknowledgements in a stack that answer no finding the packs would otherwise report there,
 * as rule id and the path of the construct that carries it.
 */
export function unusedAcknowledgements(stack: Stack): Array<{ id: string; path: string }> {
  const raw = findingsIgnoringAcknowledgements(stack);
  const acknowledged = stack.node.findAll().flatMap((construct) => construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.keys(entry.data as Record<string, string>).map((id) => ({
      id: id.replace(/^annotation::/i, ''),
      path: construct.node.path,
    }))));
  return acknowledged.filter(({ id, path }) => !raw.some((finding) =>
    finding.rule === id && (finding.path === path || finding.path.startsWith(`${path}/`))));
}
