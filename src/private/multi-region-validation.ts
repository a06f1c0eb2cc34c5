import { Stack, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { ACCOUNT, profileProblems } from './profile-validation';
import { EnvironmentProfile } from '../environment-profile-types';
import { LedgerBillingMode } from '../ledger-billing';

/** What the checks read of `MultiRegionPaymentPlatformProps`. */
export interface MultiRegionSettings {
  readonly profile: EnvironmentProfile;
  readonly regions: string[];
  readonly witnessRegion?: string;
  readonly account?: string;
  readonly apiClients?: string[];
  readonly namePrefix?: string;
  readonly alarms?: { readonly alarmTopic?: unknown };
  readonly api?: { readonly processor?: unknown; readonly events?: { readonly eventBus?: unknown } };
  readonly processor?: { problems(regions: string[]): string[] };
  readonly events?: { readonly eventBus?: unknown };
  readonly domain?: { readonly domainName: string; readonly hostedZoneId: string; readonly zoneName: string };
}

/**
 * The Region sets of DynamoDB's multi-Region strong consistency, as aws-cdk-lib's `TableV2` checks
 * them: a table's three Regions (replicas and witness) all come from one set.
 */
export const MRSC_REGION_SETS: { [set: string]: string[] } = {
  US: ['us-east-1', 'us-east-2', 'us-west-2'],
  EU: ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1'],
  AP: ['ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3'],
};

const NAME_PREFIX = /^[a-z][a-z0-9-]{0,39}$/;
const CLIENT_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,32}$/;

function setOf(region: string): string | undefined {
  return Object.keys(MRSC_REGION_SETS).find((set) => MRSC_REGION_SETS[set].includes(region));
}

function listSets(): string {
  return Object.entries(MRSC_REGION_SETS).map(([set, regions]) => `${set}: ${regions.join(', ')}`).join('; ');
}

/** Every problem of a multi-Region platform's props, each naming its field and what is allowed. */
export function multiRegionProblems(props: MultiRegionSettings): string[] {
  const problems: string[] = profileProblems(props.profile).map((problem) => `profile: ${problem}`);
  const regions = Array.isArray(props.regions) ? props.regions : [];
  const witness = props.witnessRegion;
  const named = [...regions, ...(witness !== undefined ? [witness] : [])];
  const unresolved = named.filter((region) => Token.isUnresolved(region));
  if (unresolved.length > 0) {
    problems.push('`regions` and `witnessRegion` hold a token; an MRSC table\'s Regions are fixed when it is created, so name them.');
    return problems;
  }

  const outside = named.filter((region) => setOf(region) === undefined);
  if (outside.length > 0) {
    problems.push(`\`regions\` and \`witnessRegion\` name ${outside.map((r) => `'${r}'`).join(', ')}, outside every Region set of multi-Region strong consistency; choose the Regions of one set (${listSets()}).`);
  }
  const sets = new Set(named.map(setOf).filter((set) => set !== undefined));
  if (sets.size > 1) {
    problems.push(`\`regions\` and \`witnessRegion\` span the Region sets ${[...sets].join(' and ')}; an MRSC table cannot span sets, so choose the Regions of one (${listSets()}).`);
  }
  if (new Set(regions).size !== regions.length) {
    problems.push(`\`regions\` is [${regions.join(', ')}], which names a Region twice; name each serving Region once.`);
  }
  if (regions.length === 3 && witness !== undefined) {
    problems.push(`\`witnessRegion\` is '${witness}' beside three \`regions\`; an MRSC table spans exactly three Regions, so give three serving Regions or two and a witness.`);
  } else if (regions.length === 2 && witness === undefined) {
    problems.push(`\`regions\` is [${regions.join(', ')}] without \`witnessRegion\`; an MRSC table spans exactly three Regions, so add a third Region or name the third of the set as the witness.`);
  } else if (regions.length !== 2 && regions.length !== 3) {
    problems.push(`\`regions\` has ${regions.length} Region${regions.length === 1 ? '' : 's'}; an MRSC table spans exactly three Regions: give three serving Regions, or two and a \`witnessRegion\`.`);
  }
  if (witness !== undefined && regions.includes(witness)) {
    problems.push(`\`witnessRegion\` is '${witness}', which is also in \`regions\`; the witness is the set's third Region and serves no payments.`);
  }
  if (typeof props.profile.region === 'string' && !regions.includes(props.profile.region)) {
    problems.push(`\`profile.region\` is '${props.profile.region}', not one of \`regions\` [${regions.join(', ')}]; the profile's Region is the primary Region, where the tables are defined.`);
  }
  if (props.profile.ledgerBilling?.mode === LedgerBillingMode.PROVISIONED) {
    problems.push('`profile.ledgerBilling` is provisioned; the multi-Region tables are on-demand, since a replica\'s provisioned capacity and scaling schedule would have to be set in every Region. Use LedgerBilling.onDemand() (with `warmThroughput` for a known peak).');
  }
  if (props.namePrefix !== undefined && !NAME_PREFIX.test(props.namePrefix)) {
    problems.push(`\`namePrefix\` is '${props.namePrefix}'; it must be 1 to 40 lower-case letters, digits and hyphens, starting with a letter.`);
  }
  if (props.account !== undefined && !Token.isUnresolved(props.account) && !ACCOUNT.test(props.account)) {
    problems.push(`\`account\` is '${props.account}'; it must be a 12-digit AWS account id.`);
  }
  const clients = props.apiClients;
  if (clients !== undefined) {
    const bad = clients.filter((name) => !CLIENT_NAME.test(name));
    if (clients.length === 0 || bad.length > 0 || new Set(clients).size !== clients.length) {
      problems.push(`\`apiClients\` is [${clients.join(', ')}]; give one or more distinct names of 1 to 64 characters of A-Z, a-z, 0-9, _ and -.`);
    }
  }
  if (props.alarms?.alarmTopic) {
    problems.push('`alarms.alarmTopic` is given; a CloudWatch alarm notifies a topic of its own Region only, so each Region\'s alarms notify a topic of their own. '
      + 'Subscribe to them with `alarms.alarmEmail` or `alarms.alarmSubscriptions` (an e-mail address or an HTTPS paging or chat endpoint reaches every Region).');
  }
  const domain = props.domain;
  if (domain) {
    const zone = domain.zoneName.replace(/\.$/, '');
    if (domain.domainName !== zone && !domain.domainName.endsWith(`.${zone}`)) {
      problems.push(`\`domain.domainName\` is '${domain.domainName}', outside the hosted zone '${domain.zoneName}' (\`domain.zoneName\`); the records and certificates are validated in that zone.`);
    }
    if (!HOSTED_ZONE_ID.test(domain.hostedZoneId)) {
      problems.push(`\`domain.hostedZoneId\` is '${domain.hostedZoneId}'; it must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ.`);
    }
  }
  if (props.api?.processor) {
    problems.push('`api.processor` is set; a processor function belongs to one Region, and each Region of a multi-Region platform invokes its own. '
      + 'Give `processor` instead (MultiRegionProcessor.fromFunctionArns, one function per Region).');
  }
  for (const [field, events] of [['events', props.events], ['api.events', props.api?.events]] as const) {
    if (events?.eventBus) {
      problems.push(`\`${field}.eventBus\` is set; an event bus belongs to one Region, and each Region of a multi-Region platform publishes the payments it `
        + 'recorded on a bus of its own. Leave `eventBus` out: each Region creates one (`platforms[region].api.eventBus`).');
    }
  }
  if (props.processor) {
    problems.push(...props.processor.problems(props.regions));
  }
  return problems;
}

/**
 * Refuses, at synthesis, what an MRSC table cannot have and an escape hatch could still add:
 * a TTL or a local secondary index.
 */
export function refuseWhatMrscCannotDo(table: dynamodb.TableV2, field: string): void {
  table.node.addValidation({
    validate: () => {
      const cfn = table.node.defaultChild as dynamodb.CfnGlobalTable;
      const stack = Stack.of(table);
      const problems: string[] = [];
      const ttl = stack.resolve(cfn.timeToLiveSpecification) as dynamodb.CfnGlobalTable.TimeToLiveSpecificationProperty | undefined;
      if (ttl?.enabled) {
        problems.push(`\`${field}\` has TTL on '${ttl.attributeName}'; tables with multi-Region strong consistency have no TTL (expired claims are swept instead).`);
      }
      const indexes = (stack.resolve(cfn.localSecondaryIndexes) ?? []) as dynamodb.CfnGlobalTable.LocalSecondaryIndexProperty[];
      if (indexes.length > 0) {
        problems.push(`\`${field}\` has the local secondary index${indexes.length > 1 ? 'es' : ''} ${indexes.map((index) => `'${index.indexName}'`).join(', ')}; tables with multi-Region strong consistency have none (a global secondary index is allowed).`);
      }
      if (cfn.multiRegionConsistency !== 'STRONG') {
        problems.push(`\`${field}\` has multi-Region consistency '${cfn.multiRegionConsistency ?? 'EVENTUAL'}'; an idempotency claim on eventually consistent replicas can be won in two Regions at once and pay twice, so it must be STRONG.`);
      }
      return problems;
    },
  });
}
