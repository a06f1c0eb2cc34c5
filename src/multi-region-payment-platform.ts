import { Aws, CfnOutput, SecretValue, Stack, Stage } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { EncryptedLedgerTable } from './encrypted-ledger-table';
import { EnvironmentProfile } from './environment-profile-types';
import { MandatoryTags, MandatoryTagsProps } from './mandatory-tags';
import { MultiRegionProcessor } from './multi-region-processor';
import { PaymentAlarmsOptions } from './payment-alarms';
import { PaymentApiOptions } from './payment-api';
import type { PaymentEventsOptions } from './payment-events';
import { PaymentPlatform } from './payment-platform';
import { acknowledge, nagPackAcknowledgements } from './private/acknowledge';
import { newLedgerBackupPlan } from './private/backup';
import { newPlatformKey } from './private/keys';
import { guardLedger, LEDGER_KEY_SCHEMA, LEDGER_STREAM, LedgerProtection, protectedTableProps } from './private/ledger-definition';
import { MRSC_REGION_SETS, multiRegionProblems, refuseWhatMrscCannotDo } from './private/multi-region-validation';
import { addPendingIndex } from './private/processor-step';
import { fromProfile, ledgerPropsOf } from './private/profile-props';
import { RegionalDomainRoute, validatedCertificate } from './private/regional-domain-route';
import { regionalStreamArn } from './private/regional-stream';
import { keptOrDestroyed } from './private/values';

/**
 * One name for the API in every Region, served by each Region's API behind Route 53.
 */
export interface MultiRegionDomainOptions {
  /** The name clients call, such as `payments.example.com`. */
  readonly domainName: string;
  /** The ID of the Route 53 public hosted zone that holds `domainName`. */
  readonly hostedZoneId: string;
  /** The name of that hosted zone, such as `example.com`. */
  readonly zoneName: string;
}

/**
 * Properties of a `MultiRegionPaymentPlatform`.
 */
export interface MultiRegionPaymentPlatformProps {
  /**
   * The environment profile of every Region. Its `region` is the primary Region, where the
   * multi-Region tables are defined; it must be one of `regions`. Billing must be on-demand.
   */
  readonly profile: EnvironmentProfile;

  /**
   * The Regions that serve payments: three of one MRSC Region set (such as us-east-1, us-east-2
   * and us-west-2), or two of them with `witnessRegion`.
   */
  readonly regions: string[];

  /**
   * The third Region of the set where only two serve payments: it holds no data that clients read
   * or write, and only confirms writes, so that either serving Region keeps accepting payments
   * while the other is cut off.
   *
   * @default - none; needs three `regions`
   */
  readonly witnessRegion?: string;

  /**
   * The account of every stack.
   *
   * @default - the profile's `account`, else the account of the CLI's credentials at deploy time
   */
  readonly account?: string;

  /**
   * One custom domain for every Region: an ACM certificate and a Regional custom domain per Region,
   * and Route 53 latency records with health checks, so that clients reach the nearest healthy
   * Region.
   *
   * @default - no custom domain; clients call each Region's `execute-api` endpoint
   */
  readonly domain?: MultiRegionDomainOptions;

  /**
   * The clients that get an API key: one per name, with the same value in every Region. Each value
   * is generated into a Secrets Manager secret replicated to every Region, and the API keys read it
   * through a dynamic reference, so no template holds it.
   *
   * @default ['default']
   */
  readonly apiClients?: string[];

  /**
   * Options of every Region's `PaymentApi`: authorization, WAF, logs, stage, client limits and
   * the handler's capacity, the same in each Region.
   *
   * @default - the defaults of `PaymentApi`, and the profile's values
   */
  readonly api?: PaymentApiOptions;

  /**
   * The payment processor of every Region: each Region's handler and completer invoke that Region's
   * function. The idempotency table then carries the index of pending payments that every Region's
   * completer reads; a payment that one Region left pending may be finished by another, with the
   * same idempotency key, so the processor must honour one key across its Regions.
   *
   * @default - no processor: payments are recorded as `accepted`
   */
  readonly processor?: MultiRegionProcessor;

  /**
   * Payment events in every Region: each Region publishes, on a bus of its own
   * (`platforms[region].api.eventBus`), the payments that it recorded, from its own replica's stream,
   * so that each payment is published once. A bus of your own (`eventBus`) is refused: a bus
   * belongs to one Region.
   *
   * @default - `api.events`, which is none unless given
   */
  readonly events?: PaymentEventsOptions;

  /**
   * Alarm settings of every Region, such as the e-mail address or paging endpoint that each
   * Region's alarm topic notifies. Used only where the profile enables alarms. Each Region's alarms
   * notify a topic in that Region, so `alarmTopic` cannot be given, and each subscription is added
   * to every Region's topic (an e-mail address or an HTTPS endpoint works from any Region).
   *
   * @default - the defaults of `PaymentAlarms`
   */
  readonly alarms?: PaymentAlarmsOptions;

  /**
   * ARNs of the roles (or users) that administer each Region's key: the only principals, beside the
   * role CloudFormation deploys with, that may schedule its deletion, disable it or replace its policy.
   *
   * @default - only the deployment role
   */
  readonly keyAdminArns?: string[];

  /**
   * What the names of the multi-Region tables, key aliases and secrets start with. Those names are
   * fixed, since stacks in other Regions find them by name; two platforms in one account need two
   * prefixes.
   *
   * @default `payments-<envName>`
   */
  readonly namePrefix?: string;
}

/**
 * A payment platform that takes payments in two or three Regions at once and pays each
 * idempotency key exactly once across all of them.
 *
 * The ledger and the idempotency claims are DynamoDB global tables with multi-Region strong
 * consistency (MRSC): a conditional write is checked against the latest version in every Region,
 * so two Regions can never both claim one key. Each Region has its own stacks:
 *
 * - `<prefix>-keys-<region>`: the Region's customer-managed key (alias `alias/<prefix>`),
 *   which every replica, secret and log group of the Region uses;
 * - `<prefix>-data` (primary Region only): the two MRSC tables with a replica (or the witness) in
 *   every other Region, and the API keys' replicated secrets;
 * - `<prefix>-<region>`: a complete `PaymentPlatform` over those tables (VPC, API, handler, audit
 *   writer and bucket, claim sweeper, alarms), and the Region's part of the custom domain.
 *
 * The stacks depend on each other in that order (keys, data, Regions), which `cdk deploy --all`
 * and a CDK Pipelines stage (`MultiRegionPaymentStage`) follow. Create it in an `App` or a `Stage`.
 */
export class MultiRegionPaymentPlatform extends Construct {
  /** A copy of the Region sets of MRSC by name, each with its Regions (as aws-cdk-lib checks them). */
  public static readonly REGION_SETS: { [set: string]: string[] } = Object.fromEntries(
    Object.entries(MRSC_REGION_SETS).map(([set, regions]) => [set, [...regions]]));

  /** The primary Region, where the multi-Region tables are defined. */
  public readonly primaryRegion: string;
  /** The Regions that serve payments. */
  public readonly regions: string[];
  /** The key stack of each serving Region, by Region. */
  public readonly keyStacks: { [region: string]: Stack };
  /** The stack of the multi-Region tables and secrets, in the primary Region. */
  public readonly dataStack: Stack;
  /** The platform stack of each serving Region, by Region. */
  public readonly regionStacks: { [region: string]: Stack };
  /** The platform of each serving Region, by Region. */
  public readonly platforms: { [region: string]: PaymentPlatform };
  /** The multi-Region ledger, as defined in the primary Region. */
  public readonly ledgerTable: dynamodb.TableV2;
  /** The multi-Region table of idempotency claims, as defined in the primary Region. */
  public readonly idempotencyTable: dynamodb.TableV2;
  /** The secret of each client's API key value, by client name. */
  public readonly apiKeySecrets: { [client: string]: secretsmanager.Secret };

  constructor(scope: Construct, id: string, props: MultiRegionPaymentPlatformProps) {
    super(scope, id);
    const problems = multiRegionProblems(props);
    if (problems.length > 0) {
      throw new Error(`Invalid MultiRegionPaymentPlatform props:\n  - ${problems.join('\n  - ')}`);
    }
    if (this.node.scopes.some((construct) => Stack.isStack(construct))) {
      throw new Error(`MultiRegionPaymentPlatform '${this.node.path}' creates a stack per Region, so it belongs in an App or a Stage, not in stack '${Stack.of(this).stackName}'.`);
    }
    const { profile } = props;
    this.primaryRegion = profile.region;
    this.regions = [profile.region, ...props.regions.filter((region) => region !== profile.region)];
    const prefix = props.namePrefix ?? `payments-${profile.envName}`;
    const stageName = Stage.of(this)?.stageName;
    const layout: Layout = {
      props,
      prefix,
      account: props.account ?? profile.account,
      clients: props.apiClients ?? ['default'],
      aliasName: `alias/${prefix}`,
      stackName: (suffix: string) => (stageName ? `${stageName}-${prefix}-${suffix}` : `${prefix}-${suffix}`),
      tags: MandatoryTags.propsFromProfile(profile),
    };

    // 1. A key in every serving Region, found by the other Regions' stacks through its alias.
    this.keyStacks = {};
    const keys: { [region: string]: kms.Key } = {};
    for (const region of this.regions) {
      [this.keyStacks[region], keys[region]] = this.newKeyStack(layout, region);
    }

    // 2. The multi-Region tables, defined in the primary Region with a replica in each other one,
    //    and the API keys' values, replicated to every Region.
    this.dataStack = new Stack(this, 'Data', {
      stackName: layout.stackName('data'),
      description: `Payment platform (${profile.envName}): the multi-Region strongly consistent ledger and idempotency claims`,
      env: { account: layout.account, region: this.primaryRegion },
    });
    for (const region of this.regions) {
      this.dataStack.addDependency(this.keyStacks[region], `the replica in ${region} is encrypted with that Region's key`);
    }
    [this.ledgerTable, this.idempotencyTable] = this.newTables(layout, keys[this.primaryRegion]);
    this.apiKeySecrets = this.newApiKeySecrets(layout, keys[this.primaryRegion]);
    MandatoryTags.apply(this.dataStack, layout.tags);
    // The primary Region's certificate, whose DNS validation record the data stack owns for every Region.
    const primaryCertificate = props.domain ? validatedCertificate(this.dataStack, 'Certificate', props.domain) : undefined;

    // 3. A whole platform in every serving Region over the shared tables.
    this.regionStacks = {};
    this.platforms = {};
    for (const region of this.regions) {
      const certificate = region === this.primaryRegion ? primaryCertificate : undefined;
      [this.regionStacks[region], this.platforms[region]] = this.newRegion(layout, region, keys[region], certificate);
    }
  }

  /** The Region's stack of its key, with the alias by which the other Regions' stacks find it. */
  private newKeyStack({ props, account, aliasName, stackName, tags }: Layout, region: string): [Stack, kms.Key] {
    const { envName, removalPolicy } = props.profile;
    const stack = new Stack(this, `Keys-${region}`, {
      stackName: stackName(`keys-${region}`),
      description: `Payment platform (${envName}): the customer-managed key of ${region}`,
      env: { account, region },
    });
    const key = newPlatformKey(stack, 'Key', `Encrypts the ${envName} payment platform's data in ${region}`, removalPolicy, props.keyAdminArns);
    key.addAlias(aliasName);
    MandatoryTags.apply(stack, tags);
    return [stack, key];
  }

  /** The key of another Region, by its alias, since it lives in another Region's stack. */
  private keyInRegion({ aliasName }: Layout, region: string): string {
    return `arn:${Aws.PARTITION}:kms:${region}:${Aws.ACCOUNT_ID}:${aliasName}`;
  }

  /** The ledger and the claims, defined like the ledger of one Region, with the guardrails of one. */
  private newTables(layout: Layout, key: kms.IKey): [dynamodb.TableV2, dynamodb.TableV2] {
    const { profile, witnessRegion } = layout.props;
    const replicaRegions = this.regions.slice(1);
    const protection: LedgerProtection = {
      pointInTimeRecovery: profile.pointInTimeRecovery,
      backups: profile.ledgerBackups ?? false,
      removalPolicy: keptOrDestroyed(profile.removalPolicy),
      warmThroughput: profile.ledgerBilling.warmThroughput,
    };
    const tableProps = {
      ...protectedTableProps(protection),
      multiRegionConsistency: dynamodb.MultiRegionConsistency.STRONG,
      replicas: replicaRegions.map((region) => ({ region })),
      witnessRegion,
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(key,
        Object.fromEntries(replicaRegions.map((region) => [region, this.keyInRegion(layout, region)]))),
    };
    const ledger = new dynamodb.TableV2(this.dataStack, 'Ledger', {
      ...LEDGER_KEY_SCHEMA,
      ...tableProps,
      tableName: `${layout.prefix}-ledger`,
      dynamoStream: LEDGER_STREAM,
    });
    // No TTL: MRSC has none. The handler honours each claim's expiry, and each Region's sweeper deletes it.
    const claims = new dynamodb.TableV2(this.dataStack, 'IdempotencyClaims', {
      ...tableProps,
      tableName: `${layout.prefix}-idempotency`,
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    });
    if (layout.props.processor) {
      addPendingIndex(claims);
    }
    refuseWhatMrscCannotDo(ledger, 'ledgerTable');
    refuseWhatMrscCannotDo(claims, 'idempotencyTable');
    if (protection.backups) {
      newLedgerBackupPlan(ledger, ledger, key, protection.removalPolicy);
    }
    guardLedger(fromProfile(profile, ledgerPropsOf(profile), {}), ledger, protection);
    return [ledger, claims];
  }

  /** A secret per client holding its API key's value, replicated to every Region under that Region's key. */
  private newApiKeySecrets(layout: Layout, key: kms.IKey): { [client: string]: secretsmanager.Secret } {
    const replicaKeys = this.regions.slice(1).map((region) => ({
      region,
      encryptionKey: kms.Key.fromKeyArn(this.dataStack, `ReplicaKey-${region}`, this.keyInRegion(layout, region)),
    }));
    const noRotation = 'An API key identifies a client to API Gateway, which copies the value when the key is created; a new value is a new client name, so the secret is not rotated.';
    const secrets: { [client: string]: secretsmanager.Secret } = {};
    for (const client of layout.clients) {
      const secret = new secretsmanager.Secret(this.dataStack, `ApiKey-${client}`, {
        secretName: `${layout.prefix}/api-keys/${client}`,
        description: `The value of the API key of client '${client}' in every Region of the ${layout.props.profile.envName} payments API`,
        encryptionKey: key,
        generateSecretString: { passwordLength: 40, excludePunctuation: true, includeSpace: false },
        replicaRegions: replicaKeys,
        removalPolicy: keptOrDestroyed(layout.props.profile.removalPolicy),
      });
      acknowledge(secret, [{ id: 'AwsSolutions-SMG4', reason: noRotation }, ...nagPackAcknowledgements('SecretsManagerRotationEnabled', noRotation, ['NIST.800.53.R5', 'HIPAA.Security'])]);
      secrets[client] = secret;
    }
    return secrets;
  }

  /** The Region's stack: a whole `PaymentPlatform` over the shared tables, its API keys and its part of the domain. */
  private newRegion(layout: Layout, region: string, key: kms.IKey, certificate?: acm.ICertificate): [Stack, PaymentPlatform] {
    const { props, prefix } = layout;
    const stack = new Stack(this, `Region-${region}`, {
      stackName: layout.stackName(region),
      description: `Payment platform (${props.profile.envName}) in ${region}, one of ${this.regions.join(', ')}`,
      env: { account: layout.account, region },
    });
    stack.addDependency(this.dataStack, 'the Region\'s replicas of the multi-Region tables must exist');
    const ledger = EncryptedLedgerTable.fromTableAttributes(stack, 'Ledger', {
      tableArn: stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: `${prefix}-ledger` }),
      tableStreamArn: regionalStreamArn(stack, 'LedgerStream', `${prefix}-ledger`, key, logs.RetentionDays.ONE_YEAR),
      encryptionKey: key,
    });
    const claims = dynamodb.Table.fromTableAttributes(stack, 'IdempotencyClaims', { tableName: `${prefix}-idempotency`, encryptionKey: key });
    const entry = props.domain ? new RegionalDomainRoute(stack, 'Entry', { ...props.domain, certificate }) : undefined;
    const platform = new PaymentPlatform(stack, 'Payments', { ...props.profile, region }, {
      ...props.api,
      encryptionKey: key,
      ledger,
      idempotencyTable: claims,
      multiRegion: true,
      processor: props.processor?.processorIn(stack, region),
      events: props.events ?? props.api?.events,
      alarms: props.alarms,
      customDomain: entry ? { domainName: props.domain!.domainName, certificate: entry.certificate } : undefined,
    });
    entry?.route(platform.api.restApi, platform.api.domain!);
    for (const client of layout.clients) {
      platform.api.addApiKey(`ApiKey-${client}`, {
        apiKeyName: `${prefix}-${client}`,
        description: `API key of client '${client}', the same value in every Region`,
        // A dynamic reference that CloudFormation resolves in this Region, from the secret's replica.
        value: SecretValue.secretsManager(`${prefix}/api-keys/${client}`).unsafeUnwrap(),
      });
    }
    new CfnOutput(stack, 'PaymentsUrl', { description: `POST here to create a payment in ${region}`, value: `${platform.api.url}payments` });
    // The platform tags its own resources; the stream lookup (and aws-cdk-lib's provider function
    // for it at the stack's root) and the Region's part of the domain are beside it.
    for (const child of stack.node.children.filter((construct) => construct !== platform)) {
      MandatoryTags.apply(child, layout.tags);
    }
    return [stack, platform];
  }
}

/** What every stack of the platform is named and tagged from. */
interface Layout {
  readonly props: MultiRegionPaymentPlatformProps;
  /** What the fixed names start with. */
  readonly prefix: string;
  readonly account?: string;
  readonly clients: string[];
  /** The alias of every Region's key. */
  readonly aliasName: string;
  readonly stackName: (suffix: string) => string;
  readonly tags: MandatoryTagsProps;
}
