import { CustomResourceProviderBase, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { AuditBucket, IAuditBucket } from './audit-bucket';
import { EncryptedLedgerTable, IEncryptedLedgerTable } from './encrypted-ledger-table';
import { EnvironmentProfile } from './environment-profile-types';
import { MandatoryTags } from './mandatory-tags';
import { PaymentAlarms, PaymentAlarmsOptions } from './payment-alarms';
import { PaymentApi, PaymentApiDomainOptions, PaymentApiOptions } from './payment-api';
import { AWS_CUSTOM_RESOURCE_PROVIDER_ID } from './private/acknowledge';
import { newPlatformKey } from './private/keys';
import { apiPropsOf, auditBucketPropsOf, fromProfile, ledgerPropsOf, vpcPropsOf } from './private/profile-props';
import { assertValidProfile } from './private/profile-validation';
import { SecureVpc } from './secure-vpc';

/**
 * Optional extras of a `PaymentPlatform`; the profile alone builds a complete platform. Beside the
 * options of its `PaymentApi`, which it passes through, they adopt existing resources and set
 * what the profile does not.
 */
export interface PaymentPlatformOptions extends PaymentApiOptions {
  /**
   * An existing VPC to run in instead of a new `SecureVpc`. It needs private subnets with egress
   * and should have gateway endpoints for DynamoDB and S3.
   *
   * @default - a new `SecureVpc`
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The three availability zones of the new `SecureVpc`, by name. Name them where a zone of the
   * region is constrained for the account (see `SecureVpcProps.availabilityZones`). Ignored when
   * `vpc` is given.
   *
   * @default - the first three zones of the region
   */
  readonly availabilityZones?: string[];

  /**
   * An existing customer-managed key for every data store, queue, topic and log group of the
   * platform.
   *
   * @default - a new key with rotation enabled, one per environment
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * ARNs of the roles (or users) that administer the platform's key: the only principals, beside
   * the role CloudFormation deploys with, that may schedule its deletion, disable it or replace its
   * policy. Ignored when `encryptionKey` is given.
   *
   * @default - only the deployment role
   */
  readonly keyAdminArns?: string[];

  /**
   * An existing payment ledger to adopt instead of creating one (`EncryptedLedgerTable` from
   * another stack, or `EncryptedLedgerTable.fromTableAttributes`). It needs a stream, best `NEW_AND_OLD_IMAGES` (with `NEW_IMAGE`, audit records of changes lack the item as it was).
   * Its recovery, backups and retention are then its owner's, not the profile's.
   *
   * @default - a new `EncryptedLedgerTable` from the profile
   */
  readonly ledger?: IEncryptedLedgerTable;

  /**
   * An existing audit bucket to adopt instead of creating one (`AuditBucket` from another stack,
   * or `AuditBucket.fromBucketAttributes`). Its policy, lock and retention are then its owner's.
   *
   * @default - a new `AuditBucket` from the profile
   */
  readonly auditBucket?: IAuditBucket;

  /**
   * An existing table of idempotency claims (see `PaymentApiProps.idempotencyTable`).
   *
   * @default - a new table with TTL
   */
  readonly idempotencyTable?: dynamodb.ITable;

  /**
   * Whether the ledger and `idempotencyTable` are multi-Region tables shared with the platform's
   * other Regions (see `PaymentApiProps.multiRegion`); `MultiRegionPaymentPlatform` sets it.
   *
   * @default false
   */
  readonly multiRegion?: boolean;

  /**
   * Interface VPC endpoints for `execute-api` that make the API private (see
   * `PaymentApiProps.privateEndpoints`). Create them in the VPC you pass as `vpc`.
   *
   * @default - a regional API
   */
  readonly privateEndpoints?: ec2.IInterfaceVpcEndpoint[];

  /**
   * A custom domain for the API, always with the TLS 1.2 security policy, and optionally mutual
   * TLS (see `PaymentApiProps.customDomain`).
   *
   * @default - no custom domain
   */
  readonly customDomain?: PaymentApiDomainOptions;

  /**
   * Alarm settings, such as an e-mail address to notify. Used only where the profile enables alarms.
   *
   * @default - the defaults of `PaymentAlarms`
   */
  readonly alarms?: PaymentAlarmsOptions;
}

/**
 * The whole payment platform of one environment, from one profile:
 * `new PaymentPlatform(this, 'Payments', profiles.staging)`.
 *
 * One customer-managed key, a `SecureVpc`, an `EncryptedLedgerTable`, an `AuditBucket`, the
 * `PaymentApi` over them, `PaymentAlarms` where the profile enables alarms, and `MandatoryTags`
 * over all of it.
 */
export class PaymentPlatform extends Construct {
  /** The profile the platform was built from. */
  public readonly profile: EnvironmentProfile;
  /** The environment's key, which encrypts every data store, queue, topic and log group. */
  public readonly key: kms.IKey;
  /** The VPC the functions run in. */
  public readonly vpc: ec2.IVpc;
  /** The `SecureVpc`, unless an existing VPC was given. */
  public readonly network?: SecureVpc;
  /** The payment ledger, created here or adopted (`ledger`). */
  public readonly ledger: IEncryptedLedgerTable;
  /** The audit bucket, created here or adopted (`auditBucket`). */
  public readonly auditBucket: IAuditBucket;
  /** The payments API, its handler and audit pipeline. */
  public readonly api: PaymentApi;
  /** The alarms and dashboard, where the profile enables alarms. */
  public readonly alarms?: PaymentAlarms;
  /** The aspect that tags every resource of the platform. */
  public readonly tags: MandatoryTags;

  constructor(scope: Construct, id: string, profile: EnvironmentProfile, options: PaymentPlatformOptions = {}) {
    super(scope, id);
    // The one validation of the profile; each construct below gets props decided from it.
    assertValidProfile(profile, this);
    const stack = Stack.of(this);
    // The custom resource providers that aws-cdk-lib shares at the stack's root carry one platform's
    // mandatory tags, so two platforms in one stack would tag them with whichever came last.
    const other = stack.node.findAll()
      .find((construct) => construct !== this && construct instanceof PaymentPlatform && Stack.of(construct) === stack);
    if (other) {
      throw new Error(`A stack holds one PaymentPlatform: '${other.node.path}' is already in stack '${stack.stackName}', so '${this.node.path}' cannot be added. Put each platform in a stack of its own.`);
    }
    this.profile = profile;

    this.key = options.encryptionKey ?? newPlatformKey(this, 'Key', `Encrypts the ${profile.envName} payment platform's data`, profile.removalPolicy, options.keyAdminArns);
    if (options.vpc) {
      this.vpc = options.vpc;
    } else {
      this.network = new SecureVpc(this, 'Network', fromProfile(profile, vpcPropsOf(profile), {
        encryptionKey: this.key,
        availabilityZones: options.availabilityZones,
      }));
      this.vpc = this.network.vpc;
    }
    this.ledger = options.ledger ?? new EncryptedLedgerTable(this, 'Ledger', fromProfile(profile, ledgerPropsOf(profile), { encryptionKey: this.key }));
    this.auditBucket = options.auditBucket ?? new AuditBucket(this, 'Audit', fromProfile(profile, auditBucketPropsOf(profile), { encryptionKey: this.key }));
    // Every option that is not the platform's own is the API's, passed through as given.
    const {
      vpc: _vpc, availabilityZones: _zones, encryptionKey: _key, keyAdminArns: _admins, ledger: _ledger, auditBucket: _bucket, alarms: _alarms,
      ...apiOptions
    } = options;
    this.api = new PaymentApi(this, 'Api', fromProfile(profile, apiPropsOf(profile), {
      ...apiOptions,
      vpc: this.vpc,
      ledgerTable: this.ledger.table,
      auditBucket: this.auditBucket.bucket,
      encryptionKey: this.key,
    }));
    // The platform's own VPC lets through its endpoints only what its functions do.
    this.network?.allowTablesThroughEndpoint([this.api.ledgerTable, this.api.idempotencyTable]);
    this.network?.allowObjectWritesThroughEndpoint(this.api.auditBucket, `${AuditBucket.RECORD_PREFIX}*`);
    if (profile.enableAlarms) {
      this.alarms = new PaymentAlarms(this, 'Alarms', { ...options.alarms, api: this.api });
    }
    const tagValues = MandatoryTags.propsFromProfile(profile);
    this.tags = MandatoryTags.apply(this, tagValues);
    // aws-cdk-lib puts the providers of its own custom resources (the VPC's default security group
    // rules, bucket auto-delete, the prefix-list lookups) at the stack's root, outside this
    // construct; they get the tags too.
    for (const child of Stack.of(this).node.children) {
      if (child instanceof CustomResourceProviderBase || child.node.id === AWS_CUSTOM_RESOURCE_PROVIDER_ID) {
        MandatoryTags.apply(child, tagValues);
      }
    }
  }
}
