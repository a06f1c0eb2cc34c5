package smoke;

import java.util.Map;

import org.paymentplatform.EnvironmentProfile;
import org.paymentplatform.EnvironmentProfileOverrides;
import org.paymentplatform.PaymentPlatform;
import org.paymentplatform.Profiles;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.cxapi.CloudFormationStackArtifact;

/**
 * A Java user's CDK app, holding the Java examples of the README and docs/profiles.md: the stock
 * staging platform, as in the smallest example, and one derived from the production profile.
 * Writes to $CDK_OUTDIR.
 */
public final class SmokeApp {
    public static void main(final String[] args) {
        App app = new App();

        Stack stack = stackIn(app, "Payments", Profiles.getStaging());
        new PaymentPlatform(stack, "P", Profiles.getStaging());

        EnvironmentProfile custom = Profiles.derive(Profiles.getProduction(),
                EnvironmentProfileOverrides.builder().region("eu-west-1").apiRateLimit(2500).build());
        new PaymentPlatform(stackIn(app, "Custom", custom), "P", custom);

        for (CloudFormationStackArtifact artifact : app.synth().getStacks()) {
            Map<?, ?> resources = (Map<?, ?>) ((Map<?, ?>) artifact.getTemplate()).get("Resources");
            System.out.printf("java: %s in %s: %d resources%n",
                    artifact.getStackName(), artifact.getEnvironment().getRegion(), resources.size());
        }
    }

    private static Stack stackIn(final App app, final String id, final EnvironmentProfile profile) {
        return new Stack(app, id, StackProps.builder()
                .env(Environment.builder().region(profile.getRegion()).build())
                .build());
    }
}
