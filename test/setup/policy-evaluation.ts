import { runSimulation } from '@cloud-copilot/iam-simulate';
import { CfnElement, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Evaluates the policies of a synthesized template as IAM does, with `@cloud-copilot/iam-simulate`
 * (AGPL-3.0-or-later, a development dependency used by tests only).
 *
 * The engine needs plain JSON, so CloudFormation's `Ref`, `Fn::GetAtt`, `Fn::Join` and pseudo
 * parameters are resolved to fixed fake names and ARNs per logical ID, the way CloudFormation would
 * resolve them in the stack's account and region.
 */
export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

type Template = {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
};

export class PolicyModel {
  public readonly account: string;
  public readonly region: string;
  private readonly resources: Template['Resources'];
  private readonly outputs: NonNullable<Template['Outputs']>;

  /**
   * @param exporters the models of the stacks whose exports this stack imports (`Fn::ImportValue`),
   * such as a Regional platform's key stack
   */
  constructor(private readonly stack: Stack, template: Template, private readonly exporters: PolicyModel[] = []) {
    this.account = stack.account;
    this.region = stack.region;
    this.resources = template.Resources;
    this.outputs = template.Outputs ?? {};
  }

  public logicalId(construct: IConstruct): string {
    return this.stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);
  }

  /** What `Fn::GetAtt [id, Arn]` gives: the resource's ARN. */
  public arn(logicalId: string): string {
    const type = this.typeOf(logicalId);
    const { account, region } = this;
    switch (type) {
      case 'AWS::SNS::Topic': return `arn:aws:sns:${region}:${account}:${logicalId}`;
      case 'AWS::KMS::Key': return `arn:aws:kms:${region}:${account}:key/${logicalId}`;
      case 'AWS::S3::Bucket': return `arn:aws:s3:::${logicalId.toLowerCase()}`;
      case 'AWS::SQS::Queue': return `arn:aws:sqs:${region}:${account}:${logicalId}`;
      case 'AWS::DynamoDB::Table': return `arn:aws:dynamodb:${region}:${account}:table/${logicalId}`;
      case 'AWS::IAM::Role': return `arn:aws:iam::${account}:role/${logicalId}`;
      case 'AWS::Lambda::Function': return `arn:aws:lambda:${region}:${account}:function:${logicalId}`;
      case 'AWS::Lambda::Alias': {
        const { FunctionName, Name } = this.resources[logicalId].Properties as { FunctionName: unknown; Name: string };
        return `${this.arn(String(this.resolve(FunctionName)))}:${Name}`;
      }
      case 'AWS::CloudWatch::Alarm': return `arn:aws:cloudwatch:${region}:${account}:alarm:${logicalId}`;
      case 'AWS::Events::Rule': return `arn:aws:events:${region}:${account}:rule/${logicalId}`;
      case 'AWS::Events::EventBus': return `arn:aws:events:${region}:${account}:event-bus/${this.ref(logicalId)}`;
      case 'AWS::StepFunctions::StateMachine': return `arn:aws:states:${region}:${account}:stateMachine:${logicalId}`;
      case 'AWS::Logs::LogGroup': return `arn:aws:logs:${region}:${account}:log-group:${logicalId}:*`;
      default: return `arn:aws:${type.split('::')[1].toLowerCase()}:${region}:${account}:${logicalId}`;
    }
  }

  /** What `Ref` gives. */
  public ref(logicalId: string): string {
    switch (this.typeOf(logicalId)) {
      case 'AWS::SNS::Topic': return this.arn(logicalId);
      case 'AWS::Lambda::Alias': return this.arn(logicalId);
      case 'AWS::S3::Bucket': return logicalId.toLowerCase();
      case 'AWS::SQS::Queue': return `https://sqs.${this.region}.amazonaws.com/${this.account}/${logicalId}`;
      case 'AWS::ApiGateway::Stage': return String(this.resources[logicalId].Properties?.StageName);
      case 'AWS::Events::EventBus': return String(this.resources[logicalId].Properties?.Name ?? logicalId);
      case 'AWS::StepFunctions::StateMachine': return this.arn(logicalId);
      default: return logicalId;
    }
  }

  /** A template value with every intrinsic function resolved. */
  public resolve(value: unknown): unknown {
    if (Array.isArray(value)) {
      return value.map((item) => this.resolve(item));
    }
    if (value === null || typeof value !== 'object') {
      return value;
    }
    const object = value as Record<string, unknown>;
    if ('Ref' in object) {
      return PSEUDO[object.Ref as string]?.(this) ?? this.ref(object.Ref as string);
    }
    if ('Fn::GetAtt' in object) {
      const [id, attribute] = object['Fn::GetAtt'] as [string, string];
      if (attribute === 'Arn') {
        return this.arn(id);
      }
      if (attribute === 'StreamArn') {
        return `${this.arn(id)}/stream/2026-01-01T00:00:00.000`;
      }
      if (attribute === 'Table.LatestStreamArn' && this.typeOf(id) === 'Custom::AWS') {
        // A DescribeTable custom resource: the stream of the named table in this stack's Region.
        const call = JSON.parse(String(this.resolve(this.resources[id].Properties!.Create))) as { parameters: { TableName: string } };
        return `arn:aws:dynamodb:${this.region}:${this.account}:table/${call.parameters.TableName}/stream/2026-01-01T00:00:00.000`;
      }
      throw new Error(`no fake value for Fn::GetAtt ${id}.${attribute}`);
    }
    if ('Fn::ImportValue' in object) {
      const name = String(this.resolve(object['Fn::ImportValue']));
      const exporter = this.exporters.find((model) => model.exportedValue(name) !== undefined);
      if (!exporter) {
        throw new Error(`no stack of the model exports ${name}`);
      }
      return exporter.exportedValue(name);
    }
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map((part) => this.resolve(part)).join(separator);
    }
    if ('Fn::Sub' in object) {
      // The one-argument form: `${Pseudo::Parameter}` and `${LogicalId}` (a Ref) in a string.
      const template = object['Fn::Sub'];
      if (typeof template !== 'string') {
        throw new Error('no fake value for Fn::Sub with variables');
      }
      return template.replace(/\$\{([^}]+)\}/g, (_, name: string) => String(this.resolve({ Ref: name })));
    }
    if ('Fn::Select' in object) {
      const [index, list] = object['Fn::Select'] as [number, unknown];
      return (this.resolve(list) as unknown[])[Number(index)];
    }
    if ('Fn::Split' in object) {
      const [separator, source] = object['Fn::Split'] as [string, unknown];
      return String(this.resolve(source)).split(separator);
    }
    const intrinsic = Object.keys(object).find((key) => key.startsWith('Fn::'));
    if (intrinsic) {
      throw new Error(`no fake value for ${intrinsic}`);
    }
    return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, this.resolve(item)]));
  }

  /**
   * The resolved documents of a role's inline policies and of every `AWS::IAM::Policy` attached to
   * it. A role with managed policies is refused: their documents are not in the template, and a
   * suite that skipped them would decide on half of what IAM sees.
   */
  public identityPolicies(roleLogicalId: string): Array<{ name: string; policy: unknown }> {
    const role = this.resources[roleLogicalId].Properties ?? {};
    if (role.ManagedPolicyArns) {
      throw new Error(`${roleLogicalId} has managed policies, which cannot be evaluated from the template`);
    }
    const inline = ((role.Policies ?? []) as Array<{ PolicyName: string; PolicyDocument: unknown }>)
      .map((policy) => ({ name: `${roleLogicalId}/${policy.PolicyName}`, policy: this.resolve(policy.PolicyDocument) }));
    const attached = Object.entries(this.resources)
      .filter(([, resource]) => resource.Type === 'AWS::IAM::Policy'
        && JSON.stringify(resource.Properties?.Roles ?? []).includes(JSON.stringify({ Ref: roleLogicalId })))
      .map(([id, resource]) => ({ name: id, policy: this.resolve(resource.Properties!.PolicyDocument) }));
    return [...inline, ...attached];
  }

  /** The resolved resource policy that a policy resource of `type` attaches to the resource. */
  public resourcePolicy(type: string, listProperty: string, resourceLogicalId: string): unknown {
    const target = JSON.stringify({ Ref: resourceLogicalId });
    const found = Object.values(this.resources).filter((resource) => resource.Type === type
      && JSON.stringify(resource.Properties?.[listProperty] ?? null).includes(target));
    if (found.length !== 1) {
      throw new Error(`expected one ${type} for ${resourceLogicalId}, found ${found.length}`);
    }
    return this.resolve(found[0].Properties!.PolicyDocument);
  }

  /**
   * The function policy that Lambda builds from the function's `AWS::Lambda::Permission`s: one
   * statement per permission, conditioned on its source ARN and account as `AddPermission` does.
   */
  public functionPolicy(functionLogicalId: string): unknown {
    const statements = Object.values(this.resources)
      .filter((resource) => resource.Type === 'AWS::Lambda::Permission'
        && JSON.stringify(resource.Properties?.FunctionName).includes(JSON.stringify(functionLogicalId)))
      .map((resource) => {
        const { Action, Principal, SourceArn, SourceAccount } = this.resolve(resource.Properties) as Record<string, string>;
        return {
          Effect: 'Allow',
          Principal: { Service: Principal },
          Action,
          Resource: this.arn(functionLogicalId),
          Condition: {
            ...(SourceArn ? { ArnLike: { 'aws:SourceArn': SourceArn } } : {}),
            ...(SourceAccount ? { StringEquals: { 'aws:SourceAccount': SourceAccount } } : {}),
          },
        };
      });
    if (statements.length === 0) {
      throw new Error(`no AWS::Lambda::Permission for ${functionLogicalId}`);
    }
    return { Version: '2012-10-17', Statement: statements };
  }

  /** The resolved value of this stack's export `name`, if it has one. */
  public exportedValue(name: string): unknown {
    const output = Object.values(this.outputs).find((candidate) => candidate.Export?.Name === name);
    return output === undefined ? undefined : this.resolve(output.Value);
  }

  /** The logical IDs of every resource of `type`. */
  public idsOfType(type: string): string[] {
    return Object.entries(this.resources).filter(([, resource]) => resource.Type === type).map(([id]) => id);
  }

  /** A resource's properties, with every intrinsic function resolved. */
  public properties(logicalId: string): Record<string, unknown> {
    return this.resolve(this.resources[logicalId].Properties ?? {}) as Record<string, unknown>;
  }

  /** A key's own policy. */
  public keyPolicy(keyLogicalId: string): unknown {
    return this.resolve(this.resources[keyLogicalId].Properties!.KeyPolicy);
  }

  private typeOf(logicalId: string): string {
    const resource = this.resources[logicalId];
    if (!resource) {
      throw new Error(`no resource ${logicalId} in the template`);
    }
    return resource.Type;
  }
}

const PSEUDO: Record<string, (model: PolicyModel) => string> = {
  'AWS::AccountId': (model) => model.account,
  'AWS::Region': (model) => model.region,
  'AWS::Partition': () => 'aws',
  'AWS::URLSuffix': () => 'amazonaws.com',
  'AWS::StackId': (model) => `arn:aws:cloudformation:${model.region}:${model.account}:stack/Payments/51af3dc0-da77-11e4-872e-1234567db123`,
};

export interface Request {
  /** A principal ARN, a service principal such as `cloudwatch.amazonaws.com`, or an anonymous caller. */
  readonly principal: string | { type: 'Anonymous' };
  readonly action: string;
  readonly resource: string;
  /** The account that owns the resource. */
  readonly resourceAccount: string;
  /** Request context; nothing is filled in, so pass `aws:SecureTransport` and the source keys. */
  readonly context: Record<string, string | string[]>;
  readonly identityPolicies?: Array<{ name: string; policy: unknown }>;
  readonly resourcePolicy?: unknown;
}

/**
 * The engine drops every `kms:EncryptionContext:<key>` context key before it evaluates (its match
 * for keys with a variable part looks for a `/`, and these use a `:`), so a statement conditioned
 * on one would always come out as if the key were absent. `decide` therefore evaluates each such
 * key under a stand-in that the engine keeps and that means nothing else in these policies
 * (`aws:PrincipalTag/<key>`, a single string like the original), renamed alike in the request and
 * in every policy document, with the same operator and value.
 */
const ENCRYPTION_CONTEXT = 'kms:EncryptionContext:';
const STAND_IN = 'aws:PrincipalTag/encryption-context.';

function withStandIns<T>(value: T, keys: string[]): T {
  if (keys.length === 0 || value === undefined) {
    return value;
  }
  let text = JSON.stringify(value);
  if (text.includes(STAND_IN)) {
    throw new Error(`a policy already uses ${STAND_IN}, the stand-in for encryption-context keys`);
  }
  for (const key of keys) {
    text = text.split(JSON.stringify(key)).join(JSON.stringify(STAND_IN + key.slice(ENCRYPTION_CONTEXT.length)));
  }
  return JSON.parse(text) as T;
}

/**
 * One decision. Fails loudly if the engine could not evaluate the request or ignored a context key
 * (a misspelt key, or one the engine drops), so that no case passes by accident.
 */
export async function decide(request: Request): Promise<Decision> {
  const contextKeys = Object.keys(request.context).filter((key) => key.startsWith(ENCRYPTION_CONTEXT));
  const result = await runSimulation({
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount },
      contextVariables: withStandIns(request.context, contextKeys),
    },
    identityPolicies: withStandIns(request.identityPolicies ?? [], contextKeys),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: withStandIns(request.resourcePolicy, contextKeys),
  }, { simulationMode: 'Strict' });
  if (result.resultType === 'error') {
    throw new Error(`the simulation could not run: ${JSON.stringify(result.errors)}`);
  }
  const ignored = result.resultType === 'single' ? result.result.ignoredContextKeys ?? [] : result.results.flatMap((r) => r.ignoredContextKeys ?? []);
  if (ignored.length > 0) {
    throw new Error(`the simulation ignored context keys ${ignored.join(', ')} of ${request.action}`);
  }
  return result.overallResult as Decision;
}
