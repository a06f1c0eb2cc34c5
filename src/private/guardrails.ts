import { Annotations, CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { DataClassification, EnvironmentProfile, SecurityControl } from '../environment-profile-types';
import { Acknowledgement, acknowledge, skipCheckov } from './acknowledge';
import { originOf } from './profile-props';
import { STOCK_PROFILES } from './stock-profiles';

/** The template metadata key under which stated exceptions are written, on each resource they concern. */
export const EXCEPTIONS_METADATA_KEY = 'PaymentPlatformSecurityExceptions';

/** One security control as a construct has set it. */
export interface ControlSetting {
  readonly control: SecurityControl;
  /** Whether the setting in force weakens the control. */
  readonly weakened: boolean;
  /** What is weakened, for the messages: "point-in-time recovery of the ledger is off". */
  readonly what: string;
  /** The construct prop that sets the control. */
  readonly prop: string;
  /** The profile field that a platform maps to `prop`, where one does. */
  readonly profileField?: keyof EnvironmentProfile;
  /** The resource (an L2 over one CloudFormation resource) that the findings, the warning and the metadata belong to. */
  readonly target: IConstruct;
  /** Scanner findings that the library acknowledges where the weakening is its own choice. */
  readonly acknowledgements?: Acknowledgement[];
  /** checkov checks skipped on the target where the weakening is the library's own choice. */
  readonly checkovSkips?: Array<{ id: string; comment: string }>;
}

/**
 * Applies the rule for a weakened control, set by `props` (a construct's props, decided from a
 * profile or not). Where the library made the choice (a stock profile's value, or the construct's
 * documented default), its findings are acknowledged with the library's reason. Where the app made
 * it (a prop of its own, or a profile field that differs from the stock profile of the same name),
 * nothing is acknowledged, so the user's scanners still report it, and synthesis warns naming the
 * field; for Restricted data it stops unless the profile states an exception for the control, which
 * is then written into the template metadata.
 */
export function guardControl(props: object, setting: ControlSetting): void {
  if (!setting.weakened) {
    return;
  }
  const origin = originOf(props);
  const profile = origin?.profile;
  const fromProfile = origin?.fromProfile.has(setting.prop) ?? false;
  const appSet = !fromProfile && (props as { [prop: string]: unknown })[setting.prop] !== undefined;
  const libraryChoice = !appSet && (!fromProfile || setting.profileField === undefined || isStockValue(profile!, setting.profileField));
  if (libraryChoice) {
    if (setting.acknowledgements?.length) {
      acknowledge(setting.target, setting.acknowledgements);
    }
    if (setting.checkovSkips?.length) {
      skipCheckov(setting.target.node.defaultChild as CfnResource, setting.checkovSkips);
    }
    return;
  }

  const field = appSet ? `the \`${setting.prop}\` prop` : `the profile's \`${String(setting.profileField)}\``;
  const exception = profile?.securityExceptions?.find((candidate) => candidate.control === setting.control);
  if (!exception && profile?.dataClassification === DataClassification.RESTRICTED) {
    throw new Error(`${setting.target.node.path}: ${setting.what}, set by ${field}, in the ${profile.envName} environment, whose data is Restricted. `
      + `Keep the control, or state the exception in the profile: securityExceptions: [{ control: SecurityControl.${enumKey(setting.control)}, `
      + 'reason: \'<why, for the auditor>\' }].');
  }
  const id = `@org/payment-platform:weakened-${setting.control}`;
  Annotations.of(setting.target).addWarningV2(id, exception
    ? `${setting.what}, set by ${field}, under the stated exception '${setting.control}': ${exception.reason}. Scanners still report it.`
    : `${setting.what}, set by ${field}. The library does not acknowledge the findings this causes; scanners still report them.`);
  if (exception) {
    const resource = setting.target.node.defaultChild;
    if (!(resource instanceof CfnResource)) {
      throw new Error(`${setting.target.node.path} has no CloudFormation resource to record the exception on`);
    }
    const recorded = (resource.getMetadata(EXCEPTIONS_METADATA_KEY) ?? []) as unknown[];
    resource.addMetadata(EXCEPTIONS_METADATA_KEY, [...recorded, { control: setting.control, setting: field.replace(/`/g, ''), reason: exception.reason }]);
  }
}

/** Whether the profile's field holds what the stock profile of the same name holds. */
function isStockValue(profile: EnvironmentProfile, field: keyof EnvironmentProfile): boolean {
  const stock = STOCK_PROFILES.find((candidate) => candidate.envName === profile.envName);
  return stock !== undefined && stock[field] === profile[field];
}

function enumKey(control: SecurityControl): string {
  return Object.entries(SecurityControl).find(([, value]) => value === control)![0];
}
