import { Stage, StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { MultiRegionPaymentPlatform, MultiRegionPaymentPlatformProps } from './multi-region-payment-platform';

/**
 * Properties of a `MultiRegionPaymentStage`.
 */
export interface MultiRegionPaymentStageProps extends StageProps {
  /** The multi-Region platform the stage deploys. */
  readonly platform: MultiRegionPaymentPlatformProps;
}

/**
 * A multi-Region payment platform as one deployable unit: `pipeline.addStage(new
 * MultiRegionPaymentStage(app, 'Prod', { platform: { profile, regions } }))`. CDK Pipelines deploys
 * its stacks in the order they depend on each other: every Region's key stack together, then the
 * multi-Region tables, then every Region's platform together.
 */
export class MultiRegionPaymentStage extends Stage {
  /** The platform, with its stacks by Region. */
  public readonly platform: MultiRegionPaymentPlatform;

  constructor(scope: Construct, id: string, props: MultiRegionPaymentStageProps) {
    super(scope, id, props);
    this.platform = new MultiRegionPaymentPlatform(this, 'Payments', props.platform);
  }
}
