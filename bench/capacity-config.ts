/**
 * The capacity model's view of a synthesized platform: the limits its template sets, and what one
 * payment takes of them, calibrated from the warm-throughput benchmark.
 */
import { AWS_BEHAVIOUR, CapacityConfig, TableCapacity } from './capacity';

interface Resource { readonly Type: string; readonly Properties?: Record<string, any> }
interface CfnTemplate { readonly Resources: Record<string, Resource> }

/** What one payment takes, as measured by the warm-throughput benchmark. */
export interface Calibration {
  /** Seconds one request occupies an execution environment (the billed duration of the cost model). */
  readonly handlerSeconds: number;
  readonly ledgerItemBytes: number;
  readonly idempotencyItemBytes: number;
}

/** Limits of the account that the template does not show. */
export interface AccountLimits {
  /** @default 0 */
  readonly otherApisRate?: number;
  /** @default the Lambda default of 1,000 */
  readonly accountConcurrency?: number;
  /**
   * Clients (API keys) that the load is spread over evenly; the usage plan throttles each of them
   * apart, so together they may send this many times one client's limit.
   *
   * @default 4
   */
  readonly clients?: number;
}

/** How many clients the model spreads the load over, unless told otherwise. */
export const MODEL_CLIENTS = 4;

export function capacityConfigOf(template: CfnTemplate, calibration: Calibration, account: AccountLimits = {}): CapacityConfig {
  const resources = Object.entries(template.Resources);
  const ofType = (type: string) => resources.filter(([, resource]) => resource.Type === type);
  const one = (type: string, where: (resource: Resource) => boolean = () => true): [string, Resource] => {
    const found = ofType(type).filter(([, resource]) => where(resource));
    if (found.length !== 1) {
      throw new Error(`expected one ${type} in the template, found ${found.length}`);
    }
    return found[0];
  };
  const [, stage] = one('AWS::ApiGateway::Stage');
  const stageThrottle = (stage.Properties?.MethodSettings ?? []).find((setting: any) => setting.ResourcePath === '/*' && setting.HttpMethod === '*') ?? {};
  const [, plan] = one('AWS::ApiGateway::UsagePlan');
  const [handlerId, handler] = one('AWS::Lambda::Function', (fn) => fn.Properties?.Environment?.Variables?.LEDGER_TABLE_NAME !== undefined);
  const alias = ofType('AWS::Lambda::Alias').find(([, resource]) => JSON.stringify(resource.Properties?.FunctionName).includes(`"${handlerId}"`));
  const [ledgerId, ledger] = one('AWS::DynamoDB::Table', (table) => table.Properties?.StreamSpecification !== undefined);
  const [idempotencyId, idempotency] = one('AWS::DynamoDB::Table', (table) => table.Properties?.StreamSpecification === undefined);
  const accountConcurrency = account.accountConcurrency ?? AWS_BEHAVIOUR.lambdaAccountConcurrency.value;
  const reserved = handler.Properties?.ReservedConcurrentExecutions;
  const units = (bytes: number) => Math.ceil(bytes / AWS_BEHAVIOUR.dynamodbWriteUnitBytes.value);

  const tableCapacity = (id: string, table: Resource): TableCapacity => {
    if (table.Properties?.BillingMode === 'PAY_PER_REQUEST') {
      return { mode: 'on-demand', warmWriteUnits: Number(table.Properties?.WarmThroughput?.WriteUnitsPerSecond ?? 0) };
    }
    const provisioned = Number(table.Properties?.ProvisionedThroughput?.WriteCapacityUnits);
    const target = ofType('AWS::ApplicationAutoScaling::ScalableTarget').find(([, scalable]) =>
      scalable.Properties?.ScalableDimension === 'dynamodb:table:WriteCapacityUnits' && JSON.stringify(scalable.Properties?.ResourceId).includes(`"${id}"`));
    if (!target) {
      return { mode: 'provisioned', min: provisioned, max: provisioned, target: 1 };
    }
    const policy = ofType('AWS::ApplicationAutoScaling::ScalingPolicy').find(([, scaling]) =>
      JSON.stringify(scaling.Properties?.ScalingTargetId ?? '').includes(`"${target[0]}"`));
    return {
      mode: 'provisioned',
      min: Number(target[1].Properties?.MinCapacity),
      max: Number(target[1].Properties?.MaxCapacity),
      target: Number(policy?.[1].Properties?.TargetTrackingScalingPolicyConfiguration?.TargetValue ?? 100) / 100,
      schedule: dailyActions(target[1].Properties?.ScheduledActions ?? []),
    };
  };

  return {
    stageRate: Number(stageThrottle.ThrottlingRateLimit ?? Number.POSITIVE_INFINITY),
    stageBurst: Number(stageThrottle.ThrottlingBurstLimit ?? Number.POSITIVE_INFINITY),
    planRate: Number(plan.Properties?.Throttle?.RateLimit ?? Number.POSITIVE_INFINITY) * (account.clients ?? MODEL_CLIENTS),
    planBurst: Number(plan.Properties?.Throttle?.BurstLimit ?? Number.POSITIVE_INFINITY) * (account.clients ?? MODEL_CLIENTS),
    accountRate: AWS_BEHAVIOUR.apiGatewayAccountRate.value,
    accountBurst: AWS_BEHAVIOUR.apiGatewayAccountBurst.value,
    otherApisRate: account.otherApisRate ?? 0,
    concurrencyCap: reserved !== undefined ? Math.min(Number(reserved), accountConcurrency) : accountConcurrency,
    provisionedConcurrency: Number(alias?.[1].Properties?.ProvisionedConcurrencyConfig?.ProvisionedConcurrentExecutions ?? 0),
    handlerSeconds: calibration.handlerSeconds,
    ledger: tableCapacity(ledgerId, ledger),
    idempotency: tableCapacity(idempotencyId, idempotency),
    ledgerUnits: units(calibration.ledgerItemBytes),
    idempotencyUnits: units(calibration.idempotencyItemBytes),
  };
}

/** Scheduled actions at a fixed time each day (`cron(m h * * ? *)`), by time of day. */
function dailyActions(actions: any[]): Array<{ atSecond: number; min: number }> {
  return actions.map((action) => {
    const match = /^cron\((\d+) (\d+) \* \* \? \*\)$/.exec(String(action.Schedule));
    if (!match || action.ScalableTargetAction?.MinCapacity === undefined) {
      throw new Error(`the capacity model reads daily scheduled actions that set a minimum only, not ${JSON.stringify(action)}`);
    }
    return { atSecond: Number(match[2]) * 3600 + Number(match[1]) * 60, min: Number(action.ScalableTargetAction.MinCapacity) };
  }).sort((a, b) => a.atSecond - b.atSecond);
}
