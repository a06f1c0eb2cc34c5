import { Arn, ArnFormat, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { PaymentProcessor, PaymentProcessorOptions } from './payment-processor';

/**
 * The payment processor of every Region of a `MultiRegionPaymentPlatform`: one function per Region,
 * which that Region's handler and completer invoke through the Region's own interface endpoint.
 *
 * A payment keeps its idempotency key wherever it is finished: a payment that one Region left
 * pending may be taken over by a client's retry or the completer in another Region, which calls its
 * own Region's processor with the same key. The processor behind the functions must therefore
 * honour one key across all of them (see docs/multi-region.md).
 *
 * Use `fromFunctionArns` for functions deployed on their own, or extend this class to create each
 * Region's function in that Region's stack.
 */
export abstract class MultiRegionProcessor {
  /**
   * The functions already deployed in each Region, by Region: every serving Region needs one, in
   * that Region.
   */
  public static fromFunctionArns(functionArns: { [region: string]: string }, options: PaymentProcessorOptions = {}): MultiRegionProcessor {
    return new ArnProcessors(functionArns, options);
  }

  /**
   * The processor that `scope`, the platform's stack in `region`, calls. Constructs created here
   * belong to that stack.
   */
  public abstract processorIn(scope: Construct, region: string): PaymentProcessor;

  /**
   * What is wrong with this processor for a platform that serves `regions`, each naming what is
   * allowed; none by default.
   */
  public problems(regions: string[]): string[] {
    void regions;
    return [];
  }
}

class ArnProcessors extends MultiRegionProcessor {
  constructor(private readonly functionArns: { [region: string]: string }, private readonly options: PaymentProcessorOptions) {
    super();
  }

  public processorIn(scope: Construct, region: string): PaymentProcessor {
    const arn = this.functionArns[region];
    if (arn === undefined) {
      throw new Error(`MultiRegionProcessor.fromFunctionArns has no function for ${region}; give one for each of its Regions.`);
    }
    return PaymentProcessor.fromFunction(lambda.Function.fromFunctionAttributes(scope, 'Processor', {
      functionArn: arn,
      // The function is in this stack's account and Region: grants go on the callers' roles.
      sameEnvironment: true,
    }), this.options);
  }

  public problems(regions: string[]): string[] {
    const problems: string[] = [];
    const missing = regions.filter((region) => this.functionArns[region] === undefined);
    if (missing.length > 0) {
      problems.push(`\`processor\` has no function for ${missing.join(', ')}; MultiRegionProcessor.fromFunctionArns needs one for every serving Region (${regions.join(', ')}).`);
    }
    for (const [region, arn] of Object.entries(this.functionArns)) {
      if (!regions.includes(region)) {
        problems.push(`\`processor\` has a function for ${region}, which is not a serving Region (${regions.join(', ')}).`);
        continue;
      }
      if (Token.isUnresolved(arn)) {
        continue;
      }
      const parts = /^arn:[^:]+:lambda:/.test(arn) ? Arn.split(arn, ArnFormat.COLON_RESOURCE_NAME) : undefined;
      if (parts === undefined || parts.resource !== 'function' || !parts.resourceName) {
        problems.push(`\`processor\`'s function for ${region} is '${arn}'; it must be a Lambda function ARN (arn:aws:lambda:${region}:<account>:function:<name>).`);
      } else if (parts.region !== region) {
        problems.push(`\`processor\`'s function for ${region} is in ${parts.region}; each Region invokes a function of its own Region, through its own interface endpoint.`);
      }
    }
    return problems;
  }
}
