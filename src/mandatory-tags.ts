import { Annotations, AspectPriority, Aspects, CfnResource, IAspect, TagManager } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { DataClassification, EnvironmentProfile } from './environment-profile-types';
import { TAG_VALUE } from './private/profile-validation';

/**
 * The tag values that every taggable resource must carry.
 */
export interface MandatoryTagsProps {
  /** Value of the `Environment` tag, such as `dev` or `production`. */
  readonly environment: string;
  /** Value of the `CostCenter` tag, such as `Engineering` or `Finance`. */
  readonly costCenter: string;
  /** Value of the `Owner` tag: the team that runs the resources. */
  readonly owner: string;
  /** Value of the `DataClassification` tag. */
  readonly dataClassification: DataClassification;
}

/**
 * A CDK Aspect that puts the `Environment`, `CostCenter`, `Owner` and `DataClassification` tags on
 * every taggable resource in its scope, and fails synthesis where one of them is missing or invalid.
 *
 * Invalid values are refused when the aspect is created. After every tagging aspect has run, a
 * second pass checks each taggable resource and reports an error for any mandatory tag that was
 * removed or overwritten with a value outside the rules (for example a `DataClassification` that
 * is not Internal, Confidential or Restricted); `cdk synth` then fails.
 */
export class MandatoryTags implements IAspect {
  /** The tag keys that this aspect enforces. */
  public static readonly TAG_KEYS: string[] = ['Environment', 'CostCenter', 'Owner', 'DataClassification'];

  /**
   * Tags `scope` and everything in it, and checks every taggable resource at synthesis.
   */
  public static apply(scope: IConstruct, props: MandatoryTagsProps): MandatoryTags {
    const aspect = new MandatoryTags(props);
    Aspects.of(scope).add(aspect, { priority: AspectPriority.MUTATING });
    Aspects.of(scope).add(new MandatoryTagsCheck(), { priority: AspectPriority.READONLY });
    return aspect;
  }

  /**
   * The mandatory tag values of an environment profile.
   */
  public static propsFromProfile(profile: EnvironmentProfile): MandatoryTagsProps {
    return {
      environment: profile.envName,
      costCenter: profile.costCenter,
      owner: profile.owner,
      dataClassification: profile.dataClassification,
    };
  }

  /** Value of the `Environment` tag. */
  public readonly environment: string;
  /** Value of the `CostCenter` tag. */
  public readonly costCenter: string;
  /** Value of the `Owner` tag. */
  public readonly owner: string;
  /** Value of the `DataClassification` tag. */
  public readonly dataClassification: DataClassification;

  constructor(props: MandatoryTagsProps) {
    const problems = tagProblems({
      Environment: props.environment,
      CostCenter: props.costCenter,
      Owner: props.owner,
      DataClassification: props.dataClassification,
    });
    if (problems.length > 0) {
      throw new Error(`Invalid mandatory tags:\n  - ${problems.join('\n  - ')}`);
    }
    this.environment = props.environment;
    this.costCenter = props.costCenter;
    this.owner = props.owner;
    this.dataClassification = props.dataClassification;
  }

  public visit(node: IConstruct): void {
    const values: Array<[string, string]> = [
      ['Environment', this.environment],
      ['CostCenter', this.costCenter],
      ['Owner', this.owner],
      ['DataClassification', this.dataClassification],
    ];
    const tags = TagManager.of(node);
    if (tags) {
      for (const [key, value] of values) {
        tags.setTag(key, value, TAG_PRIORITY, true);
      }
    } else if (CfnResource.isCfnResource(node) && UNMANAGED_TAGGABLE_TYPES.includes(node.cfnResourceType)) {
      // Resources that aws-cdk-lib declares as plain CfnResource (custom resource providers) have
      // no tag manager, although CloudFormation tags them like any other role or function. Keys
      // are sorted as the tag manager sorts them.
      const sorted = [...values].sort(([a], [b]) => a.localeCompare(b));
      node.addPropertyOverride('Tags', sorted.map(([Key, Value]) => ({ Key, Value })));
    }
  }
}

/** CloudFormation types that take a `Tags` list and that aws-cdk-lib may declare without a tag manager. */
const UNMANAGED_TAGGABLE_TYPES = ['AWS::IAM::Role', 'AWS::Lambda::Function'];

/** The priority of `Tags.of(scope).add()`, so that a later, more specific tag still wins. */
const TAG_PRIORITY = 100;

/**
 * The read-only pass of `MandatoryTags`: runs after all tagging aspects and reports, per resource,
 * every mandatory tag that is missing or invalid.
 */
class MandatoryTagsCheck implements IAspect {
  public visit(node: IConstruct): void {
    const tags = TagManager.of(node);
    if (!tags) {
      return;
    }
    const current = tags.tagValues();
    const values: { [key: string]: string | undefined } = {};
    for (const key of MandatoryTags.TAG_KEYS) {
      values[key] = current[key];
    }
    const problems = tagProblems(values);
    if (problems.length > 0) {
      Annotations.of(node).addError(`Mandatory tags are missing or invalid: ${problems.join(' ')}`);
    }
  }
}

function tagProblems(values: { [key: string]: string | undefined }): string[] {
  const problems: string[] = [];
  for (const key of MandatoryTags.TAG_KEYS) {
    const value = values[key];
    if (value === undefined || value === '') {
      problems.push(`tag \`${key}\` is missing; every taggable resource must carry it.`);
    } else if (key === 'DataClassification') {
      const allowed = Object.values(DataClassification) as string[];
      if (!allowed.includes(value)) {
        problems.push(`tag \`DataClassification\` is '${value}'; it must be one of ${allowed.join(', ')}.`);
      }
    } else if (!TAG_VALUE.test(value)) {
      problems.push(`tag \`${key}\` is '${value}'; it must be 1 to 256 letters, digits, spaces or _.:/=+-@.`);
    }
  }
  return problems;
}
